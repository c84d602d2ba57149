import { Module } from '@nestjs/common';
import { CallbackInbox } from './callback-inbox.service';
import { CallbacksController } from './callbacks.controller';
import { ApiQueuesModule } from './api-queues.module';

/** The receiver of publishers' signed callbacks; the worker applies what it queues. */
@Module({
  imports: [ApiQueuesModule],
  controllers: [CallbacksController],
  providers: [CallbackInbox],
})
export class CallbacksModule {}
