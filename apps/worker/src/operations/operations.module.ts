import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { registeredConsumer } from '../projections/log-consumers';
import { AutoAcceptProcessor } from './auto-accept.processor';
import { AutoAcceptReactor } from './auto-accept.reactor';

/** Accepts changes the publisher leaves unanswered for OPERATION_AUTO_ACCEPT_MS. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.operations })],
  providers: [AutoAcceptReactor, AutoAcceptProcessor, registeredConsumer(AutoAcceptReactor)],
})
export class OperationsModule {}
