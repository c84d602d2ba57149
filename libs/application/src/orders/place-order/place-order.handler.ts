import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { type CustomerCommand, customerStream, freeTrialClaims, orderStream, PlacedOrder, type OrderCommand } from '@mfh/domain';
import { customerDecider, orderDecider } from '@mfh/domain/deciders';
import { derivedId, EventMetadata, EventStore, loadState } from '@mfh/event-store';
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
    const place = (now: string): OrderCommand => ({
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
    });
    await this.claimFreeTrials(customerId, place(metadata.occurredAt), metadata);
    const placed = await this.executor.execute({
      stream: orderStream(orderId),
      decider: orderDecider,
      testClockId: customer.testClockId,
      commands: (_state, now) => place(now),
      metadata,
      eventId: (index) => derivedId(orderId, 'placed', index),
    });
    const order = orderOfPartner(partnerId, customerId)(placed.state);
    // A resend may find the order pending (the first request died before completing it): completing is idempotent.
    if (order.status === 'completed') return order;
    return (await this.commands.execute(new CompleteOrder(orderId, metadata, order))).order;
  }

  /**
   * One free trial per customer and offer, across orders: the customer's stream records which
   * subscription took each, so two orders racing for one trial cannot both get it (the loser's
   * append conflicts, and deciding again finds the trial taken: 409). The order is checked first,
   * so a trial is never claimed by an order that is then refused.
   */
  private async claimFreeTrials(customerId: string, place: OrderCommand, metadata: EventMetadata): Promise<void> {
    const [placed] = orderDecider.decide(place, orderDecider.initialState());
    const claims = placed?.type === 'OrderPlaced' ? freeTrialClaims(placed.data) : [];
    if (claims.length === 0) return;
    await this.executor.execute({
      stream: customerStream(customerId),
      decider: customerDecider,
      commands: (_state, now): CustomerCommand => ({ type: 'ClaimFreeTrials', data: { claims, now } }),
      metadata,
    });
  }
}
