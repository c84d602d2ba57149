import { BullModule } from '@nestjs/bullmq';
import { Module, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@mfh/application';
import { LogConsumers } from '../projections/log-consumers';
import { RenewalProcessor } from './renewal.processor';
import { RenewalReactor } from './renewal.reactor';

/** At the end of each term: a new term when auto-renew is on, the end of the subscription when it is off. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.renewals })],
  providers: [RenewalReactor, RenewalProcessor],
})
export class RenewalsModule implements OnModuleInit {
  constructor(
    private readonly consumers: LogConsumers,
    private readonly reactor: RenewalReactor,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this.reactor);
  }
}
