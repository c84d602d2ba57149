import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { registeredConsumer } from '../projections/log-consumers';
import { OrderCompletionProcessor } from './order-completion.processor';
import { OrderCompletionReactor } from './order-completion.reactor';

/** Completes orders the api left half-done. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.orders })],
  providers: [OrderCompletionReactor, OrderCompletionProcessor, registeredConsumer(OrderCompletionReactor)],
})
export class OrdersModule {}
