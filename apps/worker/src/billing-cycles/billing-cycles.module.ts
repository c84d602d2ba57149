import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { registeredConsumer } from '../projections/log-consumers';
import { BillingCycleProcessor } from './billing-cycle.processor';
import { BillingCycleReactor } from './billing-cycle.reactor';

/** The later cycles of a term billed in several (a year billed monthly), each started, and so charged, when it begins. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billingCycles })],
  providers: [BillingCycleReactor, BillingCycleProcessor, registeredConsumer(BillingCycleReactor)],
})
export class BillingCyclesModule {}
