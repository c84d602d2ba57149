import { BullModule } from '@nestjs/bullmq';
import { Module, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@mfh/application';
import { LogConsumers } from '../projections/log-consumers';
import { BillingProcessor } from './billing.processor';
import { BillingReactor } from './billing.reactor';

/** Starts billing once the licenses are assigned and fulfilment is confirmed, in either order (SPEC §8). */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.billing })],
  providers: [BillingReactor, BillingProcessor],
})
export class BillingModule implements OnModuleInit {
  constructor(
    private readonly consumers: LogConsumers,
    private readonly reactor: BillingReactor,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this.reactor);
  }
}
