import { Module } from '@nestjs/common';
import { AdminNotificationsController } from './admin-notifications.controller';

/** The admin's view of notifications to publishers and their delivery attempts; the worker sends them. */
@Module({
  controllers: [AdminNotificationsController],
})
export class NotificationsModule {}
