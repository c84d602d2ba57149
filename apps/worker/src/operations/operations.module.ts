import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { AutoAcceptProcessor } from './auto-accept.processor';
import { autoAcceptReactor } from './auto-accept.reactor';

/** Accepts changes the publisher leaves unanswered for OPERATION_AUTO_ACCEPT_MS. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.operations })],
  providers: [autoAcceptReactor, AutoAcceptProcessor],
})
export class OperationsModule {}
