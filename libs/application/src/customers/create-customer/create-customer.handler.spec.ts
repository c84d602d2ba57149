import { loadConfig } from '@mfh/config';
import { customerStream, testClockStream } from '@mfh/domain';
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
    handler = new CreateCustomerHandler(new CommandExecutor(store), loadConfig({ SANDBOX: 'true' }));
  });

  const create = (companyName: string, key: string | null, partnerId = 'contoso', domain: string | null = 'Adatum.COM', testClockId: string | null = null) =>
    handler.execute(new CreateCustomer(partnerId, companyName, domain, testClockId, key, requestMetadata(NOW)));

  it('creates the customer, trimmed and lower-cased, dated by the request', async () => {
    const customer = await create('  Adatum  ', null);
    expect(customer).toEqual({ status: 'active', id: expect.any(String), partnerId: 'contoso', companyName: 'Adatum', domain: 'adatum.com', createdAt: NOW, testClockId: null, freeTrials: {} });
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

  describe('on a test clock', () => {
    const CLOCK = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';
    const CLOCK_TIME = '2025-01-01T00:00:00.000Z';

    beforeEach(async () => {
      await store.appendToStream(testClockStream(CLOCK), [
        { id: CLOCK, type: 'TestClockCreated', data: { testClockId: CLOCK, name: 'Year', frozenTime: CLOCK_TIME, createdAt: NOW }, metadata: requestMetadata(NOW) },
      ]);
    });

    it("binds the customer at creation and dates it by the clock's time, naming the clock on the event", async () => {
      const customer = await create('Adatum', null, 'contoso', null, CLOCK);
      expect(customer).toMatchObject({ testClockId: CLOCK, createdAt: CLOCK_TIME });
      const [event] = await store.readStream(customerStream(customer.id));
      expect(event.data).toMatchObject({ testClockId: CLOCK, createdAt: CLOCK_TIME });
      expect(event.metadata).toMatchObject({ occurredAt: CLOCK_TIME, testClockId: CLOCK });
    });

    it('refuses a clock that does not exist (400), and stores nothing', async () => {
      await expect(create('Adatum', 'k', 'contoso', null, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: 'unknown-test-clock',
        kind: 'validation',
      });
      expect(await store.readStream(customerStream(derivedId('customer', 'contoso', 'k')))).toHaveLength(0);
    });

    it('refuses testClockId outright when the system is not a sandbox', async () => {
      const production = new CreateCustomerHandler(new CommandExecutor(store), loadConfig({}));
      await expect(production.execute(new CreateCustomer('contoso', 'Adatum', null, CLOCK, 'k', requestMetadata(NOW)))).rejects.toMatchObject({
        code: 'sandbox-disabled',
        kind: 'validation',
      });
      expect(await store.readStream(customerStream(derivedId('customer', 'contoso', 'k')))).toHaveLength(0);
    });
  });
});
