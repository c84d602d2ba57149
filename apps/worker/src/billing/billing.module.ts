import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { registeredConsumer } from '../projections/log-consumers';
import { BillingProcessor } from './billing.processor';
import { BillingReactor } from './billing.reactor';

/** Starts billing once the licenses are assigned and fulfilment is confirmed, in either order (SPEC §8). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billing })],
  providers: [BillingReactor, BillingProcessor, registeredConsumer(BillingReactor)],
})
export class BillingModule {}
