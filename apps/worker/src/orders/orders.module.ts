import { BullModule } from '@nestjs/bullmq';
import { Module, OnModuleInit } from '@nestjs/common';
import { QUEUES } from '@mfh/application';
import { LogConsumers } from '../projections/log-consumers';
import { OrderCompletionProcessor } from './order-completion.processor';
import { OrderCompletionReactor } from './order-completion.reactor';

/** Completes orders the api left half-done. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.orders })],
  providers: [OrderCompletionReactor, OrderCompletionProcessor],
})
export class OrdersModule implements OnModuleInit {
  constructor(
    private readonly consumers: LogConsumers,
    private readonly reactor: OrderCompletionReactor,
  ) {}

  onModuleInit(): void {
    this.consumers.register(this.reactor);
  }
}
