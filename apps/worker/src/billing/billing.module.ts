import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { BillingProcessor } from './billing.processor';
import { billingReactor } from './billing.reactor';

/** Starts billing once the licenses are assigned and fulfilment is confirmed, in either order (SPEC §8). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billing })],
  providers: [billingReactor, BillingProcessor],
})
export class BillingModule {}
