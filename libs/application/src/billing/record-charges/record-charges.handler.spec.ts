import { customerStream, invoiceStream, RECENT_LINE_IDS, SubscriptionEvent, subscriptionStream, testClockStream } from '@mfh/domain';
import { invoiceDecider } from '@mfh/domain/deciders';
import { derivedId, EventStore, JsonObject, RecordedEvent } from '@mfh/event-store';
import { activeEvents, developmentCatalog, inMemoryStore, invoiceLine, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { RecordSubscriptionCharges } from './record-charges.command';
import { RecordSubscriptionChargesHandler } from './record-charges.handler';

/** When the charger runs (wall time). */
const NOW = '2026-03-20T12:00:00.000Z';
/** activeEvents' billing starts on 2026-03-02: 12 seats at 12.00 for March 2 to April 1, 144.00. */
const BILLED = '2026-03-02T09:00:00.000Z';
const MARCH = 'contoso-2026-03-USD';
const moreSeats = (quantity: number, changedAt: string): SubscriptionEvent => ({
  type: 'SeatsChanged',
  data: { quantity, previousQuantity: 12, operationId: null, changedAt },
});
const renamed = (friendlyName: string): SubscriptionEvent => ({ type: 'SubscriptionRenamed', data: { friendlyName, previousFriendlyName: 'CRM' } });

describe('RecordSubscriptionCharges', () => {
  let store: EventStore;
  let executor: CommandExecutor;
  let handler: RecordSubscriptionChargesHandler;

  beforeEach(() => {
    store = inMemoryStore();
    executor = new CommandExecutor(store);
    handler = new RecordSubscriptionChargesHandler(store, executor, developmentCatalog());
  });

  async function customer(domain: string | null = 'adatum.com'): Promise<string> {
    const customerId = randomUUID();
    await append(customerStream(customerId), [
      { type: 'CustomerCreated', data: { customerId, partnerId: 'contoso', companyName: 'Adatum Corporation', domain, createdAt: '2026-03-01T09:00:00.000Z' } },
    ]);
    return customerId;
  }

  /** Events as the command path stores them, each decided at `occurredAt` (and on `testClockId`, when given). */
  async function append(stream: string, events: readonly { type: string; data: object }[], occurredAt = BILLED, testClockId?: string): Promise<RecordedEvent[]> {
    const metadata = { ...requestMetadata(occurredAt), ...(testClockId ? { testClockId } : {}) };
    await store.appendToStream(
      stream,
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata })),
    );
    return (await store.readStream(stream)).slice(-events.length);
  }

  /** A billed subscription of a new customer; returns its stored events, the BillingStarted last. */
  async function billed(fields: Parameters<typeof purchasedEvent>[0] = {}, testClockId?: string, at = BILLED): Promise<RecordedEvent[]> {
    const subscriptionId = randomUUID();
    const purchase = purchasedEvent({ subscriptionId, customerId: await customer(), ...fields });
    return append(subscriptionStream(subscriptionId), [purchase, ...activeEvents()], at, testClockId);
  }

  const charge = (events: readonly RecordedEvent[]) => handler.execute(new RecordSubscriptionCharges(events, requestMetadata(NOW, 'charges')));
  const charges = async (invoiceId: string) => (await store.readStream(invoiceStream(invoiceId))).filter((event) => event.type === 'ChargeRecorded');
  const issue = async (invoiceId: string) => {
    const lineCount = (await charges(invoiceId)).length;
    await executor.execute({
      stream: invoiceStream(invoiceId),
      decider: invoiceDecider,
      commands: { type: 'IssueInvoice', data: { invoiceDate: '2026-04-01T01:00:00.000Z', lineCount, linesHash: 'h' } },
      metadata: requestMetadata('2026-04-01T01:00:00.000Z', 'invoices'),
    });
  };

  it('puts a BillingStarted’s `new` line on the partner’s period of its month, named as things stood, under an id derived from the line', async () => {
    const events = await billed();
    const started = events.at(-1)!;
    const result = await charge(events);

    const [line, ...more] = await charges(MARCH);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      id: derivedId(started.id, 'charge', 0),
      data: {
        id: `${started.id}/charge/0`,
        referenceId: started.id,
        index: 0,
        chargeType: 'new',
        occurredAt: BILLED,
        subscriptionId: events[0].data.subscriptionId,
        quantity: 12,
        amount: 14400,
        customerName: 'Adatum Corporation',
        customerDomainName: 'adatum.com',
        subscriptionDescription: 'CRM',
        orderDate: '2026-03-01T10:00:00.000Z',
        skuName: 'Standard',
        productName: 'Fabrikam CRM',
        publisherName: 'Fabrikam',
        invoiceId: MARCH,
        testClockId: null,
      },
      metadata: { actor: 'charges', causationId: started.id, correlationId: started.metadata.correlationId, occurredAt: NOW },
    });
    expect(result).toEqual({ recorded: 1, position: line.position });
  });

  it('charges a redelivered or replayed batch nothing twice', async () => {
    const events = await billed();
    await charge(events);
    expect(await charge(events)).toEqual({ recorded: 0, position: null });
    expect(await charges(MARCH)).toHaveLength(1);
  });

  it('records what a partly charged batch still lacks, each under its own line’s id', async () => {
    const events = await billed();
    await charge(events);
    const [seats] = await append(events[0].streamId, [moreSeats(15, '2026-03-17T00:00:00.000Z')], '2026-03-17T00:00:00.000Z');
    expect((await charge([...events, seats])).recorded).toBe(1);
    expect((await charges(MARCH)).map((event) => [event.id, event.data.chargeType, event.data.amount])).toEqual([
      [derivedId(events.at(-1)!.id, 'charge', 0), 'new', 14400],
      // 3 seats for 16 of the cycle's 31 days: ⌊1200 × 16 / 31⌋ = 619 each.
      [derivedId(seats.id, 'charge', 0), 'addQuantity', 1857],
    ]);
  });

  it('charges only the batch’s causes, each subscription named as it was at its cause', async () => {
    const events = await billed();
    const later = await append(events[0].streamId, [renamed('Sales CRM'), moreSeats(15, '2026-03-17T00:00:00.000Z'), renamed('Old CRM')]);
    await charge(later);
    expect((await charges(MARCH)).map((event) => [event.data.chargeType, event.data.subscriptionDescription])).toEqual([['addQuantity', 'Sales CRM']]);
  });

  it('names no domain for a customer that has none', async () => {
    const subscriptionId = randomUUID();
    const events = await append(subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: await customer(null) }), ...activeEvents()]);
    await charge(events);
    expect((await charges(MARCH))[0].data).toMatchObject({ customerName: 'Adatum Corporation', customerDomainName: '' });
  });

  it('puts each line on its own period and keeps the batch’s order on each: partners, months and clocks apart', async () => {
    const contoso = await billed();
    const northwind = await billed({ partnerId: 'northwind' });
    const april = await append(contoso[0].streamId, [moreSeats(14, '2026-04-01T00:00:00.000Z')], '2026-04-01T00:00:00.000Z');
    const [seats] = await append(contoso[0].streamId, [moreSeats(16, '2026-03-31T23:00:00.000Z')], '2026-03-31T23:00:00.000Z');
    await charge([contoso.at(-1)!, northwind.at(-1)!, ...april, seats]);
    expect((await charges(MARCH)).map((event) => event.data.referenceId)).toEqual([contoso.at(-1)!.id, seats.id]);
    expect((await charges('northwind-2026-03-USD')).map((event) => event.data.referenceId)).toEqual([northwind.at(-1)!.id]);
    expect((await charges('contoso-2026-04-USD')).map((event) => event.data.referenceId)).toEqual([april[0].id]);
  });

  it('on a test clock, uses the clock’s own period, in the clock’s time', async () => {
    const clock = randomUUID();
    await append(testClockStream(clock), [{ type: 'TestClockCreated', data: { testClockId: clock, name: 'c', frozenTime: '2027-01-05T00:00:00.000Z', createdAt: NOW } }]);
    const events = await billed({ testClockId: clock }, clock, '2027-01-05T00:00:00.000Z');
    await charge(events);
    const [line] = await charges(`contoso-${clock}-2027-01-USD`);
    expect(line).toMatchObject({
      data: { chargeType: 'new', invoiceId: `contoso-${clock}-2027-01-USD`, testClockId: clock, occurredAt: '2027-01-05T00:00:00.000Z' },
      metadata: { testClockId: clock, occurredAt: '2027-01-05T00:00:00.000Z' },
    });
  });

  it('replayed from far back, leaves out the lines an invoice holds beyond the ones it remembers', async () => {
    const events = await billed();
    await charge(events);
    const later = Array.from({ length: RECENT_LINE_IDS }, () => invoiceLine({ referenceId: randomUUID(), partnerId: 'contoso', invoiceId: MARCH }));
    await store.appendToStream(invoiceStream(MARCH), later.map((line) => ({ id: derivedId(line.id), type: 'ChargeRecorded', data: line as unknown as JsonObject, metadata: requestMetadata(NOW) })));
    expect(await charge(events)).toEqual({ recorded: 0, position: null });
    expect(await charges(MARCH)).toHaveLength(RECENT_LINE_IDS + 1);
  });

  describe('once the cause’s period is issued', () => {
    it('puts a late cause’s lines on the next period still open, with that period’s invoice id', async () => {
      await charge(await billed());
      await issue(MARCH);
      await charge(await billed({ partnerId: 'contoso' }));
      expect(await charges(MARCH)).toHaveLength(1);
      const [late] = await charges('contoso-2026-04-USD');
      expect(late.data).toMatchObject({ chargeType: 'new', occurredAt: BILLED, invoiceId: 'contoso-2026-04-USD' });
    });

    it('passes over every issued period in a row', async () => {
      await charge(await billed());
      await issue(MARCH);
      await charge(await billed({}, undefined, '2026-04-02T09:00:00.000Z'));
      await issue('contoso-2026-04-USD');
      await charge(await billed());
      expect((await charges('contoso-2026-05-USD')).map((event) => event.data.invoiceId)).toEqual(['contoso-2026-05-USD']);
    });

    it('charges a batch redelivered after the issue nothing again', async () => {
      const events = await billed();
      await charge(events);
      await issue(MARCH);
      expect(await charge(events)).toEqual({ recorded: 0, position: null });
      expect(await store.readStream(invoiceStream('contoso-2026-04-USD'))).toEqual([]);
    });
  });
});
