import { createPgPool, formatPosition, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { createTestSchema, partnerScenario, TestSchema } from '@mfh/testing';
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
});
