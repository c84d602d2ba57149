import { customerStream, orderStream } from '@mfh/domain';
import { orderDecider } from '@mfh/domain/deciders';
import { loadState } from '@mfh/event-store';
import type { PlacedOrder } from '@mfh/domain';
import { OrdersRepository, orderView } from '@mfh/read-models';
import { given, placedOrder, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListOrders } from './list-orders.query';
import { ListOrdersHandler } from './list-orders.handler';

describe('ListOrders', () => {
  let fixture: ReadModelsFixture;
  let handler: ListOrdersHandler;
  const customerId = randomUUID();
  const orders = [placedOrder({ customerId }), placedOrder({ customerId, placedAt: '2026-03-01T11:00:00.000Z' })];

  beforeAll(async () => {
    fixture = await readModelsFixture();
    handler = new ListOrdersHandler(fixture.store, new OrdersRepository(fixture.pool));
    await given(fixture.store, customerStream(customerId), [
      { type: 'CustomerCreated', data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: null, createdAt: '2026-03-01T09:00:00.000Z' } },
    ]);
    await given(fixture.store, orderStream(orders[0].orderId), [{ type: 'OrderPlaced', data: orders[0] }, { type: 'OrderCompleted', data: { completedAt: orders[0].placedAt } }]);
    await given(fixture.store, orderStream(orders[1].orderId), [{ type: 'OrderPlaced', data: orders[1] }]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it('lists the customer’s orders, oldest first, as the single order read shows each', async () => {
    const page = await handler.execute(new ListOrders('contoso', customerId, { size: 10 }));
    expect(page).toMatchObject({ totalCount: 2, continuationToken: null });
    const expected = [];
    for (const order of orders) {
      const { state } = await loadState(fixture.store, orderStream(order.orderId), orderDecider);
      expected.push(orderView(state as PlacedOrder));
    }
    expect(page.items).toEqual(expected);
    expect(page.items.map((order) => order.status)).toEqual(['completed', 'pending']);
  });

  it.each([
    ["another partner's customer", 'northwind', customerId],
    ['a customer that does not exist', 'contoso', randomUUID()],
  ])('reports %s as not found, before reading any list', async (_case, partnerId, id) => {
    await expect(handler.execute(new ListOrders(partnerId, id, { size: 10 }))).rejects.toMatchObject({ code: 'customer-not-found', kind: 'not-found' });
  });
});
