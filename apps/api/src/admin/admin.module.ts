import { Module } from '@nestjs/common';
import { ApiQueuesModule } from '../callbacks/api-queues.module';
import { AdminController } from './admin.controller';
import { DeadLetters } from './dead-letters.service';
import { TimersController } from './timers.controller';

/** Operations endpoints for the admin role: the queues board, dead letters and their replay, timers. */
@Module({
  imports: [ApiQueuesModule],
  controllers: [AdminController, TimersController],
  providers: [DeadLetters],
})
export class AdminModule {}
