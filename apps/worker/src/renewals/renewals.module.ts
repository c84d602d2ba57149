import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { RenewalProcessor } from './renewal.processor';
import { renewalReactor } from './renewal.reactor';

/** At the end of each term: a new term when auto-renew is on, the end of the subscription when it is off. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.renewals })],
  providers: [renewalReactor, RenewalProcessor],
})
export class RenewalsModule {}
