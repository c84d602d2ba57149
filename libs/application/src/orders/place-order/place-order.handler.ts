import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { customerStream, orderStream, PlacedOrder, type OrderCommand } from '@mfh/domain';
import { customerDecider, orderDecider } from '@mfh/domain/deciders';
import { derivedId, EventStore, loadState } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { customerOfPartner, orderOfPartner } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import { CompleteOrder } from '../complete-order/complete-order.command';
import { orderLineRequest } from './order-line-request';
import { PlaceOrder } from './place-order.command';
import { requestFingerprint } from './request-fingerprint';

@CommandHandler(PlaceOrder)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrder> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly store: EventStore,
    private readonly catalog: Catalog,
    private readonly commands: CommandBus,
  ) {}

  async execute({ partnerId, customerId, lines, idempotencyKey, metadata }: PlaceOrder): Promise<PlacedOrder> {
    const customer = customerOfPartner(partnerId)((await loadState(this.store, customerStream(customerId), customerDecider)).state);
    const orderId = idempotencyKey ? derivedId('order', partnerId, customerId, idempotencyKey) : randomUUID();
    const placed = await this.executor.execute({
      stream: orderStream(orderId),
      decider: orderDecider,
      testClockId: customer.testClockId,
      commands: (_state, now): OrderCommand => ({
        type: 'PlaceOrder',
        data: {
          orderId,
          customerId,
          partnerId,
          lines: lines.map((line, index) => orderLineRequest(this.catalog, line, derivedId(orderId, index + 1, 'subscription'))),
          requestFingerprint: requestFingerprint(customerId, lines),
          placedAt: now,
          testClockId: customer.testClockId,
        },
      }),
      metadata,
      eventId: (index) => derivedId(orderId, 'placed', index),
    });
    const order = orderOfPartner(partnerId, customerId)(placed.state);
    // A resend may find the order pending (the first request died before completing it): completing is idempotent.
    if (order.status === 'completed') return order;
    return (await this.commands.execute(new CompleteOrder(orderId, metadata, order))).order;
  }
}
