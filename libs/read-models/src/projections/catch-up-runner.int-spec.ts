import { ExistingSubscription, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { comparePositions, createPgPool, GlobalPosition, loadState, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { createTestSchema, eventually, partnerScenario, TestSchema } from '@mfh/testing';
import type { Pool } from 'pg';
import { customersProjection } from '../customers/customers.projection';
import { ordersProjection } from '../orders/orders.projection';
import { partnerSubscriptionView } from '../subscriptions/partner-subscription.view';
import { saasSubscriptionView } from '../subscriptions/saas-subscription.view';
import { partnerSubscriptionRowView, saasSubscriptionRowView } from '../subscriptions/subscription-row.views';
import { subscriptionsProjection } from '../subscriptions/subscriptions.projection';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { CatchUpRunner, readCheckpoint } from './catch-up-runner';
import { LogConsumer, projectionConsumer } from './projection';
import { readModelMigrations } from './read-models.migrations';

const consumers = () => [projectionConsumer(subscriptionsProjection), projectionConsumer(customersProjection), projectionConsumer(ordersProjection)];

describe('CatchUpRunner with the partner projections', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;

  beforeAll(async () => {
    schema = await createTestSchema('proj');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 4 });
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 4 });
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await schema.drop();
  });

  /** Returns the position of the scenario's last event. */
  const scenario = async (): Promise<GlobalPosition> => (await partnerScenario(store)).last;

  async function snapshot(): Promise<unknown> {
    const tables = ['subscriptions', 'customers', 'orders'];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) result[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    return result;
  }

  it('builds the rows, and replaying every event again leaves the same rows', async () => {
    for (let i = 0; i < 3; i++) await scenario();
    const runner = new CatchUpRunner(store, pool, consumers(), { batchSize: 7 });
    const renamedRows = (rows: unknown) => (rows as { subscriptions: { friendly_name: string }[] }).subscriptions.filter((s) => s.friendly_name === 'Renamed twice');
    // As below: catch up until another test file's open transaction no longer holds the read horizon back.
    const built = await eventually(
      async () => {
        await runner.catchUp();
        return snapshot();
      },
      (rows) => renamedRows(rows).length === 3,
    );
    expect((built as { subscriptions: unknown[] }).subscriptions).toHaveLength(6);
    expect((built as { customers: unknown[] }).customers).toHaveLength(3);
    expect(renamedRows(built)).toHaveLength(3);

    await pool.query("UPDATE projection_checkpoints SET position = ''");
    await runner.catchUp();
    expect(await snapshot()).toEqual(built);
  });

  it('lists, through the table, what the command side’s state shows the partner and the publisher', async () => {
    const { customerId, subscriptionIds } = await partnerScenario(store);
    const runner = new CatchUpRunner(store, pool, consumers());
    const repository = new SubscriptionsRepository(pool);
    const lastRevisions = await Promise.all(subscriptionIds.map(async (id) => (await store.readStream(subscriptionStream(id))).at(-1)!.revision));
    // A transaction another test file holds open on the server keeps PostgreSQL's read horizon back: catch up until every event is in.
    const listed = await eventually(
      async () => {
        await runner.catchUp();
        return repository.listForCustomer('contoso', customerId, { size: 10 });
      },
      (page) => subscriptionIds.every((id, i) => page.items.find((row) => row.key === id)?.revision === lastRevisions[i]),
    );
    expect(listed.items.map((row) => row.key)).toEqual(expect.arrayContaining(subscriptionIds));
    for (const row of listed.items) {
      const { state } = await loadState(store, subscriptionStream(row.key), subscriptionDecider);
      expect(partnerSubscriptionRowView(row, 'https://link')).toEqual(partnerSubscriptionView(state as ExistingSubscription, () => 'https://link'));
      expect(saasSubscriptionRowView(row)).toEqual(saasSubscriptionView(state as ExistingSubscription));
    }
  });

  it('moves rows and checkpoint together: a batch that fails leaves both as they were', async () => {
    await scenario();
    const failing: LogConsumer = {
      name: 'failing-subscriptions',
      async handle(client, events) {
        await projectionConsumer(subscriptionsProjection).handle(client, events);
        await client.query("UPDATE subscriptions SET status = 'corrupted'");
        throw new Error('crash after writing');
      },
    };
    const before = await snapshot();
    const runner = new CatchUpRunner(store, pool, [failing]);
    await expect(runner.runBatch(failing)).rejects.toThrow('crash after writing');
    expect(await readCheckpoint(pool, 'failing-subscriptions')).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it('lets two runners race on the same consumers without applying anything twice', async () => {
    await pool.query("UPDATE projection_checkpoints SET position = ''");
    await pool.query('TRUNCATE subscriptions, customers, orders');
    for (let i = 0; i < 3; i++) await scenario();
    const a = new CatchUpRunner(store, pool, consumers(), { batchSize: 3 });
    const b = new CatchUpRunner(store, pool, consumers(), { batchSize: 5 });
    await Promise.all([a.catchUp(), b.catchUp(), a.catchUp()]);
    const raced = await snapshot();
    await pool.query("UPDATE projection_checkpoints SET position = ''");
    await pool.query('TRUNCATE subscriptions, customers, orders');
    await new CatchUpRunner(store, pool, consumers()).catchUp();
    expect(raced).toEqual(await snapshot());
  });

  it('reports each consecutive failure of a consumer with its count, and the recovery once', async () => {
    let failuresLeft = 3;
    const flaky: LogConsumer = {
      name: 'flaky-subscriptions',
      handle: async (client, events) => {
        if (failuresLeft-- > 0) throw new Error('not yet');
        await projectionConsumer(subscriptionsProjection).handle(client, events);
      },
    };
    await scenario();
    const errors: number[] = [];
    const recoveries: number[] = [];
    const runner = new CatchUpRunner(store, pool, [flaky], {
      pollMs: 5,
      onError: (_consumer, _error, failures) => errors.push(failures),
      onRecovered: (_consumer, failures) => recoveries.push(failures),
    });
    runner.start();
    for (let i = 0; i < 1000 && recoveries.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await runner.stop();
    expect({ errors, recoveries }).toEqual({ errors: [1, 2, 3], recoveries: [3] });
  });

  it('starts, follows new events while running, and stops cleanly', async () => {
    const runner = new CatchUpRunner(store, pool, consumers(), { pollMs: 10 });
    runner.start();
    const last = await scenario();
    const reached = async () => {
      const checkpoint = await readCheckpoint(pool, 'subscriptions');
      return checkpoint !== null && comparePositions(checkpoint, last) >= 0;
    };
    for (let i = 0; i < 1000 && !(await reached()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await runner.stop();
    expect(await reached()).toBe(true);
    const { rows } = await pool.query("SELECT count(*)::int AS renamed FROM subscriptions WHERE friendly_name = 'Renamed twice'");
    expect(rows[0].renamed).toBeGreaterThanOrEqual(1);
  });
});
