import { Module } from '@nestjs/common';
import { ApiQueuesModule } from '../callbacks/api-queues.module';
import { AdminController } from './admin.controller';
import { DeadLetters } from './dead-letters.service';
import { AdminSubscriptionsController } from './subscriptions.controller';
import { TimersController } from './timers.controller';

/** Operations endpoints for the admin role: the queues board, dead letters and their replay, timers, suspensions. */
@Module({
  imports: [ApiQueuesModule],
  controllers: [AdminController, TimersController, AdminSubscriptionsController],
  providers: [DeadLetters],
})
export class AdminModule {}
