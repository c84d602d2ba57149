import type { Type } from '@nestjs/common';
import { GetNotificationHandler } from './get-notification/get-notification.handler';
import { ListNotificationAttemptsHandler } from './list-notification-attempts/list-notification-attempts.handler';
import { ListNotificationsHandler } from './list-notifications/list-notifications.handler';

/** The admin's reads of notifications to publishers. */
export const NOTIFICATION_HANDLERS: Type[] = [ListNotificationsHandler, GetNotificationHandler, ListNotificationAttemptsHandler];
