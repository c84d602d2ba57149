import { customerStream, invoiceStream, RatableEvent, rate, SubscriptionEvent, subscriptionStream, totalOf } from '@mfh/domain';
import { invoiceDecider } from '@mfh/domain/deciders';
import { createPgPool, JsonObject, PostgresEventStore, RecordedEvent, runMigrations } from '@mfh/event-store';
import { CatchUpRunner, LogConsumer, readModelMigrations } from '@mfh/read-models';
import { activeEvents, createTestSchema, developmentCatalog, purchasedEvent, requestMetadata, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { CommandExecutor } from '../../command-executor';
import { chargingEvents, RecordSubscriptionCharges } from './record-charges.command';
import { RecordSubscriptionChargesHandler } from './record-charges.handler';

const NOW = '2026-03-20T12:00:00.000Z';
const SUBSCRIPTIONS = 30;
const [licenses, fulfilment] = activeEvents();
const yearBilledMonthly: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-01-02', termEnd: '2027-01-01', quantity: 12, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '120.00' },
};
const cycle = (cycleStart: string, cycleEnd: string): SubscriptionEvent => ({ type: 'BillingCycleStarted', data: { cycleStart, cycleEnd, quantity: 12 } });

describe('RecordSubscriptionCharges (PostgreSQL log)', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;

  beforeAll(async () => {
    schema = await createTestSchema('charges');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 4 });
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 3 });
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await schema.drop();
  });

  /** A handler as one worker process has it: its own executor, so nothing it knows of a stream is shared with another. */
  const handler = () => new RecordSubscriptionChargesHandler(store, new CommandExecutor(store), developmentCatalog());
  const charge = (events: readonly RecordedEvent[]) => handler().execute(new RecordSubscriptionCharges(events.filter(chargingEvents), requestMetadata(NOW, 'charges')));
  /** The worker's charger, with a crash right after its first batch's lines are appended and before its checkpoint moves. */
  function charger(crashes = 0): LogConsumer {
    const charges = handler();
    return {
      name: 'charges',
      async handle(_client, events) {
        const causes = events.filter(chargingEvents);
        if (causes.length > 0) await charges.execute(new RecordSubscriptionCharges(causes, requestMetadata(NOW, 'charges')));
        if (crashes-- > 0) throw new Error('killed before the checkpoint moved');
      },
    };
  }
  const runCharger = async (consumer: LogConsumer) => {
    const runner = new CatchUpRunner(store, pool, [consumer], { batchSize: 7 });
    for (let attempt = 0; attempt < 3; attempt++) await runner.catchUp().catch(() => undefined);
  };

  async function append(stream: string, events: readonly { type: string; data: object }[], occurredAt: string): Promise<void> {
    await store.appendToStream(stream, events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata: requestMetadata(occurredAt) })));
  }

  /** Half monthly with a seat change, half a year billed monthly with two later cycles begun; all of one new partner. */
  async function subscriptions(partnerId: string): Promise<string[]> {
    const customerId = randomUUID();
    await append(customerStream(customerId), [{ type: 'CustomerCreated', data: { customerId, partnerId, companyName: 'Adatum', domain: null, createdAt: NOW } }], NOW);
    const ids = Array.from({ length: SUBSCRIPTIONS }, () => randomUUID());
    for (const [n, subscriptionId] of ids.entries()) {
      const monthly = n % 2 === 0;
      const purchase = purchasedEvent({ subscriptionId, customerId, partnerId, ...(monthly ? {} : { termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00' }) });
      const later: SubscriptionEvent[] = monthly
        ? [{ type: 'SeatsChanged', data: { quantity: 14 + (n % 5), previousQuantity: 12, operationId: null, changedAt: '2026-03-10T00:00:00.000Z' } }]
        : [cycle('2026-02-02', '2026-03-01'), cycle('2026-03-02', '2026-04-01')];
      await append(subscriptionStream(subscriptionId), [purchase, licenses, fulfilment, monthly ? activeEvents()[2] : yearBilledMonthly, ...later], '2026-03-02T09:00:00.000Z');
    }
    return ids;
  }

  /** What rating says the subscriptions owe: every line of their logs. */
  async function rated(ids: readonly string[]) {
    const lines = [];
    for (const id of ids) {
      const history = (await store.readStream(subscriptionStream(id))).map((e) => ({ ...(e as unknown as SubscriptionEvent), id: e.id, occurredAt: String(e.metadata.occurredAt) }) as RatableEvent);
      lines.push(...rate(history));
    }
    return lines;
  }

  async function recorded(partnerId: string) {
    const { rows } = await pool.query<{ line_id: string; copies: string; amount: string; stream_id: string }>(
      `SELECT data->>'id' AS line_id, count(*) AS copies, sum((data->>'amount')::bigint) AS amount, min(stream_id) AS stream_id
         FROM events WHERE event_type = 'ChargeRecorded' AND data->>'partnerId' = $1 GROUP BY 1`,
      [partnerId],
    );
    return rows;
  }

  it('charges every cause’s lines once, though batches are redelivered after a crash, replayed from the start and charged twice at once', async () => {
    const ids = await subscriptions('replayed');
    const expected = await rated(ids);
    expect(expected).toHaveLength(SUBSCRIPTIONS * 2 + SUBSCRIPTIONS / 2);

    await runCharger(charger(2));
    await pool.query("DELETE FROM projection_checkpoints WHERE name = 'charges'");
    await runCharger(charger());
    const events = await store.readAll({ maxCount: 10_000 });
    await Promise.all([charge(events), charge(events)]);

    const lines = await recorded('replayed');
    expect(lines.filter((line) => Number(line.copies) !== 1)).toEqual([]);
    expect(lines.map((line) => line.line_id).sort()).toEqual(expected.map((line) => line.id).sort());
    expect(lines.reduce((sum, line) => sum + Number(line.amount), 0)).toBe(totalOf(expected));
    expect(new Set(lines.map((line) => line.stream_id))).toEqual(new Set([invoiceStream('replayed-2026-03-USD')]));
  });

  it('puts the lines of a cause charged after its period was issued on the next period, once', async () => {
    const [id] = await subscriptions('late');
    await charge(await store.readStream(subscriptionStream(id)));
    const march = invoiceStream('late-2026-03-USD');
    await new CommandExecutor(store).execute({
      stream: march,
      decider: invoiceDecider,
      commands: { type: 'IssueInvoice', data: { invoiceDate: '2026-04-01T01:00:00.000Z', lineCount: 2, linesHash: 'h' } },
      metadata: requestMetadata('2026-04-01T01:00:00.000Z', 'invoices'),
    });
    await append(subscriptionStream(id), [{ type: 'SeatsChanged', data: { quantity: 20, previousQuantity: 14, operationId: null, changedAt: '2026-03-31T23:00:00.000Z' } }], '2026-03-31T23:00:00.000Z');
    const history = await store.readStream(subscriptionStream(id));

    await charge(history);
    await charge(history);

    const [late, ...others] = (await recorded('late')).filter((line) => line.line_id.startsWith(history.at(-1)!.id));
    expect(others).toEqual([]);
    expect(late).toMatchObject({ copies: '1', stream_id: invoiceStream('late-2026-04-USD') });
    expect((await store.readStream(march)).map((event) => event.type)).toEqual(['ChargeRecorded', 'ChargeRecorded', 'InvoiceIssued']);
  });
});
