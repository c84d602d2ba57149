import { ExistingSubscription, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { comparePositions, createPgPool, EventStore, formatPosition, GlobalPosition, loadState, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { createTestSchema, eventually, partnerScenario, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
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
        const page = await repository.listForCustomer('contoso', customerId, { size: 10 });
        return { items: (await repository.versionedRows(page.items.map((item) => item.id))).map(({ row }) => row) };
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

  it('refuses to run a consumer whose checkpoint is not a position of this log, saying why, and runs the others', async () => {
    const last = await scenario();
    const handled: string[] = [];
    const consumer = (name: string): LogConsumer => ({ name, handle: async () => void handled.push(name) });
    const beyond = { commit: last.commit + 1_000_000n, prepare: last.prepare + 1_000_000n };
    // Just after the last event of a transaction that is not the log's last: between two events.
    const all = await store.readAll({ maxCount: 100_000 });
    const end = all.findIndex((event, i) => i + 1 < all.length && all[i + 1].position.commit !== event.position.commit);
    const between = { commit: all[end].position.commit, prepare: all[end].position.prepare + 1n };
    const checkpoint = (name: string, position: GlobalPosition) =>
      pool.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position', [
        name,
        formatPosition(position),
      ]);
    const prefix = `checked-${randomUUID().slice(0, 8)}`;
    await checkpoint(`${prefix}-beyond`, beyond);
    await checkpoint(`${prefix}-between`, between);
    const refused: [string, string][] = [];
    const runner = new CatchUpRunner(store, pool, [consumer(`${prefix}-beyond`), consumer(`${prefix}-between`), consumer(`${prefix}-fresh`)], {
      onRefused: (name, reason) => refused.push([name, reason]),
    });
    runner.start();
    try {
      await eventually(async () => refused.length === 2 && handled.includes(`${prefix}-fresh`), (done) => done);
    } finally {
      await runner.stop();
    }
    expect(Object.fromEntries(refused)).toEqual({
      [`${prefix}-beyond`]: expect.stringMatching(/lies beyond the log's head/),
      [`${prefix}-between`]: expect.stringMatching(/is no event's position in this log/),
    });
    expect(handled.filter((name) => name !== `${prefix}-fresh`)).toEqual([]);
    // Left as they were: nothing was read from them.
    expect(await readCheckpoint(pool, `${prefix}-beyond`)).toEqual(beyond);
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

  describe('woken by the store instead of polling it', () => {
    /** The store with its calls counted by method; everything goes straight through. */
    function counting(target: EventStore): { store: EventStore; calls: Record<string, number> } {
      const calls: Record<string, number> = {};
      const store = new Proxy(target, {
        get(object, property) {
          const value: unknown = Reflect.get(object, property, object);
          if (typeof value !== 'function') return value;
          calls[String(property)] = (calls[String(property)] ?? 0) + 1;
          return (value as (...args: unknown[]) => unknown).bind(object);
        },
      });
      return { store, calls };
    }
    const probes = (n: number): LogConsumer[] =>
      Array.from({ length: n }, (_, i) => ({ name: `probe-${randomUUID()}-${i}`, handle: async () => undefined }));
    const ping = (stream = `probe-${randomUUID()}`) => store.appendToStream(stream, [{ id: randomUUID(), type: 'ProbePinged', data: {}, metadata: {} }]);
    async function allAt(names: readonly string[], position: GlobalPosition): Promise<boolean> {
      for (const name of names) {
        const checkpoint = await readCheckpoint(pool, name);
        if (checkpoint === null || comparePositions(checkpoint, position) < 0) return false;
      }
      return true;
    }
    const reaches = (names: readonly string[], position: GlobalPosition) =>
      eventually(
        () => allAt(names, position),
        (at) => at,
        20_000,
      );
    // Longer than any test: whatever these tests see happen was a wake-up, not the safety net.
    const NEVER = 600_000;

    it('reads the log at most a few times a minute while idle, with eight consumers', async () => {
      const consumers = probes(8);
      const { store: counted, calls } = counting(store);
      const runner = new CatchUpRunner(counted, pool, consumers);
      runner.start();
      try {
        const head = (await ping()).position;
        expect(await reaches(consumers.map((c) => c.name), head)).toBe(true);
        // Let consumers that were still chasing the head settle.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const before = { ...calls };
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        const readAlls = (calls.readAll ?? 0) - (before.readAll ?? 0);
        const headReads = (calls.headPosition ?? 0) - (before.headPosition ?? 0);
        // Polling every 50 ms, as before, made 1,600 reads in 10 s here.
        expect(readAlls).toBeLessThanOrEqual(2);
        // The safety net: one look at the head every 5 s, for all consumers together.
        expect(headReads).toBeLessThanOrEqual(3);
      } finally {
        await runner.stop();
      }
    }, 40_000);

    it('shares one read of the log among consumers standing at the same place, and moves the checkpoint of one with nothing to do without a transaction', async () => {
      const handled: string[] = [];
      const interested: LogConsumer = { name: `probe-${randomUUID()}-interested`, handle: async (_client, events) => void handled.push(...events.map((e) => e.id)) };
      const uninterested: LogConsumer[] = Array.from({ length: 7 }, (_, i) => ({
        name: `probe-${randomUUID()}-${i}`,
        handles: () => false,
        handle: async () => {
          throw new Error('handle must not be called for a batch with nothing it handles');
        },
      }));
      const consumers = [interested, ...uninterested];
      const names = consumers.map((c) => c.name);
      const { store: counted, calls } = counting(store);
      const runner = new CatchUpRunner(counted, pool, consumers, { pollMs: NEVER });
      runner.start();
      try {
        expect(await reaches(names, (await ping()).position)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const before = calls.readAll ?? 0;
        const appended: string[] = [];
        for (let i = 0; i < 10; i++) {
          const id = randomUUID();
          appended.push(id);
          const { position } = await store.appendToStream(`probe-${randomUUID()}`, [{ id, type: 'ProbePinged', data: {}, metadata: {} }]);
          expect(await reaches(names, position)).toBe(true);
        }
        // Each of the ten appends is read once per wake-up by all eight together, not eight times.
        expect((calls.readAll ?? 0) - before).toBeLessThan(10 * consumers.length * 0.5);
        expect(handled).toEqual(expect.arrayContaining(appended));
      } finally {
        await runner.stop();
      }
    });

    it('notices a checkpoint moved by someone else at its next look at the head, and reads on from there', async () => {
      let handled = 0;
      const consumer: LogConsumer = { name: `probe-${randomUUID()}-replayed`, handle: async (_client, events) => void (handled += events.length) };
      const runner = new CatchUpRunner(store, pool, [consumer], { pollMs: 200 });
      runner.start();
      try {
        const head = (await ping()).position;
        expect(await reaches([consumer.name], head)).toBe(true);
        const once = handled;
        // An operator replays the consumer from the beginning; nothing new is appended.
        await pool.query("UPDATE projection_checkpoints SET position = '' WHERE name = $1", [consumer.name]);
        expect(await reaches([consumer.name], head)).toBe(true);
        expect(handled).toBeGreaterThanOrEqual(2 * once);
      } finally {
        await runner.stop();
      }
    });

    it('wakes every consumer on an append, with the safety net out of reach', async () => {
      const consumers = probes(3);
      const runner = new CatchUpRunner(store, pool, consumers, { pollMs: NEVER });
      runner.start();
      try {
        expect(await reaches(consumers.map((c) => c.name), (await ping()).position)).toBe(true);
        for (let i = 0; i < 3; i++) expect(await reaches(consumers.map((c) => c.name), (await ping()).position)).toBe(true);
      } finally {
        await runner.stop();
      }
    });

    it('reads an event announced while an older append hid it, once that append fails without a notification', async () => {
      const consumers = probes(2);
      const runner = new CatchUpRunner(store, pool, consumers, { pollMs: NEVER });
      const older = new Client({ connectionString: schema.url });
      await older.connect();
      runner.start();
      try {
        expect(await reaches(consumers.map((c) => c.name), (await ping()).position)).toBe(true);
        // An append in flight with an older transaction id, which will roll back: nothing notifies its end.
        await older.query('BEGIN');
        await older.query(
          `INSERT INTO ${schema.schema}.events (event_id, stream_id, stream_revision, event_type, data, metadata, hash)
          VALUES ($1, $2, 0, 'ProbeHeld', '{}', '{}', '')`,
          [randomUUID(), `held-${randomUUID()}`],
        );
        const hidden = (await ping()).position;
        // The notification came and went while readAll could not hand the event out yet.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await allAt(consumers.map((c) => c.name), hidden)).toBe(false);
        await older.query('ROLLBACK');
        expect(await reaches(consumers.map((c) => c.name), hidden)).toBe(true);
      } finally {
        await older.query('ROLLBACK').catch(() => undefined);
        await older.end();
        await runner.stop();
      }
    });

    it('keeps being woken after its LISTEN session is terminated, and catches up on what was appended meanwhile', async () => {
      const consumers = probes(2);
      const lost: number[] = [];
      let resumed = 0;
      const runner = new CatchUpRunner(store, pool, consumers, {
        pollMs: NEVER,
        onWakeupsInterrupted: (_error, failures) => lost.push(failures),
        onWakeupsResumed: () => resumed++,
      });
      runner.start();
      try {
        expect(await reaches(consumers.map((c) => c.name), (await ping()).position)).toBe(true);
        const { rows } = await pool.query<{ terminated: boolean }>(
          "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()",
          [`LISTEN "mfh_appends_${schema.schema}"`],
        );
        expect(rows).toEqual([{ terminated: true }]);
        // Appended while nobody listens: only the catch-up after reconnecting can find it.
        const meanwhile = (await ping()).position;
        expect(await reaches(consumers.map((c) => c.name), meanwhile)).toBe(true);
        expect(lost).toEqual([1]);
        expect(resumed).toBe(1);
        expect(await reaches(consumers.map((c) => c.name), (await ping()).position)).toBe(true);
      } finally {
        await runner.stop();
      }
    });
  });
});
