import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { OrderCompletionProcessor } from './order-completion.processor';
import { orderCompletionReactor } from './order-completion.reactor';

/** Completes orders the api left half-done. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.orders })],
  providers: [orderCompletionReactor, OrderCompletionProcessor],
})
export class OrdersModule {}
