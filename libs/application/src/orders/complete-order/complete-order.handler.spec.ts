import type { CommandBus } from '@nestjs/cqrs';
import { orderStream, purchasesOf, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId, EventStore } from '@mfh/event-store';
import { given, inMemoryStore, placedOrder, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { PurchaseSubscription } from '../../subscriptions/purchase-subscription/purchase-subscription.command';
import { PurchaseSubscriptionHandler } from '../../subscriptions/purchase-subscription/purchase-subscription.handler';
import { CompleteOrder } from './complete-order.command';
import { CompleteOrderHandler } from './complete-order.handler';

const NOW = '2026-03-02T12:00:00.000Z';

describe('CompleteOrder', () => {
  let store: EventStore;
  let executor: CommandExecutor;
  let handler: CompleteOrderHandler;

  beforeEach(() => {
    store = inMemoryStore();
    executor = new CommandExecutor(store);
    const purchase = new PurchaseSubscriptionHandler(executor);
    const bus = { execute: (command: PurchaseSubscription) => purchase.execute(command) } as unknown as CommandBus;
    handler = new CompleteOrderHandler(executor, store, bus);
  });

  async function pendingOrder() {
    const orderId = randomUUID();
    const order = placedOrder({ orderId, subscriptionId: (line) => derivedId(orderId, line, 'subscription') });
    await given(store, orderStream(orderId), [{ type: 'OrderPlaced', data: order }]);
    return order;
  }

  const complete = (orderId: string) => handler.execute(new CompleteOrder(orderId, requestMetadata(NOW)));
  const ids = async (stream: string) => (await store.readStream(stream)).map((event) => `${event.type} ${event.id}`);

  it('buys every line item, dated at placement, then completes the order, with the ids the API and the worker share', async () => {
    const order = await pendingOrder();
    const result = await complete(order.orderId);
    expect(result).toMatchObject({ completedNow: true, order: { orderId: order.orderId, status: 'completed', completedAt: NOW } });
    expect((await ids(orderStream(order.orderId))).slice(1)).toEqual([`OrderCompleted ${derivedId(order.orderId, 'complete', 0)}`]);
    for (const item of order.lineItems) {
      const [purchased] = await store.readStream(subscriptionStream(item.subscriptionId));
      expect(purchased).toMatchObject({ id: derivedId(order.orderId, item.lineItemNumber, 'purchase', 0), type: 'SubscriptionPurchased' });
      expect(purchased.data).toMatchObject({ orderId: order.orderId, lineItemNumber: item.lineItemNumber, purchasedAt: order.placedAt });
    }
  });

  it('finishes what an interrupted run left, buying each subscription once', async () => {
    const order = await pendingOrder();
    const [first] = purchasesOf(order);
    await executor.execute({
      stream: subscriptionStream(first.data.subscriptionId),
      decider: subscriptionDecider,
      commands: first,
      metadata: requestMetadata(NOW),
      eventId: (index) => derivedId(order.orderId, first.data.lineItemNumber, 'purchase', index),
    });
    expect((await complete(order.orderId)).completedNow).toBe(true);
    for (const item of order.lineItems) expect(await store.readStream(subscriptionStream(item.subscriptionId))).toHaveLength(1);
  });

  it('does nothing for an order already completed, and says so', async () => {
    const order = await pendingOrder();
    await complete(order.orderId);
    const before = (await store.readAll()).length;
    expect(await complete(order.orderId)).toMatchObject({ completedNow: false, order: { status: 'completed', completedAt: NOW } });
    expect(await store.readAll()).toHaveLength(before);
  });

  it('refuses an order that does not exist', async () => {
    await expect(complete(randomUUID())).rejects.toMatchObject({ code: 'order-not-found', kind: 'not-found' });
  });
});
