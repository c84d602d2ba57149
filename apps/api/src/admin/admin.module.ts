import { Module } from '@nestjs/common';
import { ApiQueuesModule } from '../callbacks/api-queues.module';
import { AdminController } from './admin.controller';
import { DeadLetters } from './dead-letters.service';

/** Operations endpoints for the admin role: the queues board, dead letters and their replay. */
@Module({
  imports: [ApiQueuesModule],
  controllers: [AdminController],
  providers: [DeadLetters],
})
export class AdminModule {}
