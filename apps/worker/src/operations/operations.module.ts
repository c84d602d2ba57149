import { BullModule } from '@nestjs/bullmq';
import { Module, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@mfh/application';
import { LogConsumers } from '../projections/log-consumers';
import { AutoAcceptProcessor } from './auto-accept.processor';
import { AutoAcceptReactor } from './auto-accept.reactor';

/** Accepts changes the publisher leaves unanswered for OPERATION_AUTO_ACCEPT_MS. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.operations })],
  providers: [AutoAcceptReactor, AutoAcceptProcessor],
})
export class OperationsModule implements OnModuleInit {
  constructor(
    private readonly consumers: LogConsumers,
    private readonly reactor: AutoAcceptReactor,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this.reactor);
  }
}
