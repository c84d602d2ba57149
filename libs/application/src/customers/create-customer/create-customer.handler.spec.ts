import { customerStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { inMemoryStore, requestMetadata } from '@mfh/testing';
import { CommandExecutor } from '../../command-executor';
import { CreateCustomer } from './create-customer.command';
import { CreateCustomerHandler } from './create-customer.handler';

const NOW = '2026-03-02T12:00:00.000Z';

describe('CreateCustomer', () => {
  let store: EventStore;
  let handler: CreateCustomerHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new CreateCustomerHandler(new CommandExecutor(store));
  });

  const create = (companyName: string, key: string | null, partnerId = 'contoso', domain: string | null = 'Adatum.COM') =>
    handler.execute(new CreateCustomer(partnerId, companyName, domain, key, requestMetadata(NOW)));

  it('creates the customer, trimmed and lower-cased, dated by the request', async () => {
    const customer = await create('  Adatum  ', null);
    expect(customer).toEqual({ status: 'active', id: expect.any(String), partnerId: 'contoso', companyName: 'Adatum', domain: 'adatum.com', createdAt: NOW });
    expect((await store.readStream(customerStream(customer.id))).map((event) => event.type)).toEqual(['CustomerCreated']);
  });

  it('gives every request without an Idempotency-Key a new customer', async () => {
    expect((await create('Adatum', null)).id).not.toBe((await create('Adatum', null)).id);
  });

  it("derives the id from the partner and the Idempotency-Key, so a resend answers the same customer and stores nothing", async () => {
    const first = await create('Adatum', 'key-1');
    expect(first.id).toBe(derivedId('customer', 'contoso', 'key-1'));
    expect(await create('Adatum', 'key-1')).toEqual(first);
    expect(await store.readStream(customerStream(first.id))).toHaveLength(1);
  });

  it('keeps the same key of two partners apart', async () => {
    expect((await create('Adatum', 'key-1', 'northwind')).id).not.toBe((await create('Adatum', 'key-1')).id);
  });

  it('refuses the same key with another body (422), and stores nothing', async () => {
    const first = await create('Adatum', 'key-1');
    await expect(create('Fabrikam', 'key-1')).rejects.toMatchObject({ code: 'idempotency-key-reused', kind: 'unprocessable' });
    expect(await store.readStream(customerStream(first.id))).toHaveLength(1);
  });

  it('refuses an invalid domain', async () => {
    await expect(create('Adatum', null, 'contoso', 'not a domain')).rejects.toMatchObject({ code: 'invalid-domain' });
  });
});
