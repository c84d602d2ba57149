import { Module } from '@nestjs/common';
import { NotificationsStoreModule } from '@mfh/read-models';
import { AdminNotificationsController } from './admin-notifications.controller';

/** The admin's view of notifications to publishers and their delivery attempts; the worker sends them. */
@Module({
  imports: [NotificationsStoreModule],
  controllers: [AdminNotificationsController],
})
export class NotificationsModule {}
