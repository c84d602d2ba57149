import { customerStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { given, inMemoryStore } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetCustomer } from './get-customer.query';
import { GetCustomerHandler } from './get-customer.handler';

describe('GetCustomer', () => {
  let store: EventStore;
  let handler: GetCustomerHandler;
  const customerId = randomUUID();

  beforeEach(async () => {
    store = inMemoryStore();
    handler = new GetCustomerHandler(store);
    await given(store, customerStream(customerId), [
      { type: 'CustomerCreated', data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: 'adatum.com', createdAt: '2026-03-01T10:00:00.000Z' } },
    ]);
  });

  it("reads the partner's customer from its stream, in the partner view", async () => {
    expect(await handler.execute(new GetCustomer('contoso', customerId))).toEqual({ id: customerId, companyName: 'Adatum', domain: 'adatum.com', partnerId: 'contoso' });
  });

  it.each([
    ["another partner's customer", 'northwind', customerId],
    ['a customer that does not exist', 'contoso', randomUUID()],
  ])('reports %s as not found', async (_case, partnerId, id) => {
    await expect(handler.execute(new GetCustomer(partnerId, id))).rejects.toMatchObject({ code: 'customer-not-found', kind: 'not-found' });
  });
});
