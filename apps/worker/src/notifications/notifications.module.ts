import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { KeysModule } from '@mfh/auth';
import { QUEUES } from '@mfh/messaging';
import { NotificationsStoreModule } from '@mfh/read-models';
import { registeredConsumer } from '../projections/log-consumers';
import { NotificationProcessor } from './notification.processor';
import { NotificationReactor } from './notification.reactor';

/** Signed notifications of seat and plan changes, cancellations, renewals and expiries to publishers (SPEC §7). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.notifications }), KeysModule, NotificationsStoreModule],
  providers: [NotificationReactor, NotificationProcessor, registeredConsumer(NotificationReactor)],
})
export class NotificationsModule {}
