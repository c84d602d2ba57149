import { invoiceStream, subscriptionStream } from '@mfh/domain';
import { createPgPool, formatPosition, JsonObject, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { createTestSchema, invoiceLine, partnerMetadata, partnerScenario, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { readModelProjections } from '../read-model-projections';
import { CatchUpRunner, readCheckpoint } from './catch-up-runner';
import { projectionConsumer } from './projection';
import { readModelMigrations } from './read-models.migrations';

describe('read-model migrations', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;

  beforeAll(async () => {
    schema = await createTestSchema('rmmig');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 2 });
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 2 });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await schema.drop();
  });

  it('replaces the state-as-jsonb tables with list rows, and those projections rebuild them from the start of the log', async () => {
    const { subscriptionIds, orderId, last } = await partnerScenario(store);
    // A read-model database as the first version left it: projected up to the end of the log.
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations.slice(0, 1));
    await pool.query("INSERT INTO projection_checkpoints (name, position) SELECT unnest($1::text[]), $2", [
      ['subscriptions', 'orders', 'customers'],
      formatPosition(last),
    ]);
    await pool.query(
      `INSERT INTO subscriptions (id, partner_id, customer_id, publisher_id, status, created_at, revision, state)
       VALUES ($1, 'contoso', gen_random_uuid(), 'fabrikam', 'pending', now(), 2, '{}')`,
      [subscriptionIds[0]],
    );

    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
    expect(await readCheckpoint(pool, 'subscriptions')).toBeNull();
    expect(await readCheckpoint(pool, 'orders')).toBeNull();
    expect(await readCheckpoint(pool, 'customers')).toEqual(last);
    expect((await pool.query('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(0);

    await new CatchUpRunner(store, pool, readModelProjections.map(projectionConsumer)).catchUp();
    const { rows } = await pool.query<{ id: string; friendly_name: string; revision: string }>('SELECT id, friendly_name, revision FROM subscriptions ORDER BY id');
    expect(rows).toEqual(
      [
        { id: subscriptionIds[0], friendly_name: 'Renamed twice', revision: '2' },
        { id: subscriptionIds[1], friendly_name: 'Line 2', revision: '0' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await pool.query('SELECT id, status FROM orders')).rows).toEqual([{ id: orderId, status: 'completed' }]);
  });

  it('gives the subscriptions their billing cycle and term charges by projecting them again from the start of the log', async () => {
    const fresh = await createTestSchema('rmmig6');
    const [log, rows] = [
      await PostgresEventStore.connect({ url: fresh.url, schema: fresh.schema, max: 2 }),
      createPgPool({ url: fresh.url, schema: fresh.schema, max: 2 }),
    ];
    try {
      const { subscriptionIds } = await partnerScenario(log);
      const metadata = partnerMetadata as unknown as JsonObject;
      const billing = { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 5, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '50.00' };
      await log.appendToStream(subscriptionStream(subscriptionIds[1]), [{ id: randomUUID(), type: 'BillingStarted', data: billing, metadata }]);
      const line = invoiceLine({ subscriptionId: subscriptionIds[1], partnerId: 'contoso', termStartDate: '2026-03-02', amount: 5000 });
      const { position } = await log.appendToStream(invoiceStream(line.invoiceId), [{ id: randomUUID(), type: 'ChargeRecorded', data: line as unknown as JsonObject, metadata }]);
      const before = readModelMigrations.filter((migration) => migration.id < '006-subscription-charges');
      await runMigrations(rows, fresh.schema, 'read-models', before);
      // As the version before left it: every row projected, none with the new columns.
      await rows.query("INSERT INTO projection_checkpoints (name, position) VALUES ('subscriptions', $1)", [formatPosition(position)]);
      await rows.query(
        `INSERT INTO subscriptions (id, revision, partner_id, customer_id, order_id, line_item_number, offer_id, offer_name, plan_id, publisher_id,
           publisher_name, friendly_name, quantity, status, term_duration, billing_cycle, auto_renew_enabled, created_at, cancellation_allowed_until,
           licenses_assigned, fulfillment_confirmed, pending_operations)
         VALUES ($1, 1, 'contoso', gen_random_uuid(), gen_random_uuid(), 2, 'fabrikam-crm', 'CRM', 'standard', 'fabrikam', 'Fabrikam', 'Line 2', 5,
           'active', 'P1Y', 'monthly', true, now(), now(), false, false, '[]')`,
        [subscriptionIds[1]],
      );

      await runMigrations(rows, fresh.schema, 'read-models', readModelMigrations);
      expect(await readCheckpoint(rows, 'subscriptions')).toBeNull();
      expect((await rows.query('SELECT count(*)::int AS n FROM subscriptions')).rows[0].n).toBe(0);
      await new CatchUpRunner(log, rows, readModelProjections.map(projectionConsumer)).catchUp();
      const { rows: projected } = await rows.query('SELECT cycle_start::text, term_charges FROM subscriptions WHERE id = $1', [subscriptionIds[1]]);
      expect(projected).toEqual([{ cycle_start: '2026-03-02', term_charges: { termStart: '2026-03-02', amounts: { [line.id]: 5000 } } }]);
    } finally {
      await log.close();
      await rows.end();
      await fresh.drop();
    }
  });
});
