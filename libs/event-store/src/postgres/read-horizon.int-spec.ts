import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createTestSchema, TEST_DATABASE_URL, TestSchema } from '@mfh/testing';
import { GlobalPosition, NewEvent, RecordedEvent } from '../event-store.port';
import { comparePositions } from '../global-position';
import { TAKE_APPEND_LOCK } from './event-store.migrations';
import { PostgresEventStore } from './postgres-event-store';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const event = (): NewEvent => ({ id: randomUUID(), type: 'Renamed', data: { name: randomUUID() }, metadata: { actor: 'horizon-spec' } });

const APPENDS_PER_SECOND = 100;
/** The measure: a 10-second transaction in another database. */
const LONG_LOAD_MS = 10_000;
const LOAD_MS = 3_000;
/** What the event store must keep to: most events within 250 ms; none held for long (the old horizon held each as long as the transaction). */
const P99_LAG_MS = 250;
const MAX_LAG_MS = 1_000;
const testDatabase = new URL(TEST_DATABASE_URL).pathname.slice(1);

/** A session on `database` of the test server (another database than the store's, for some tests). */
async function session(database: string, schema?: string): Promise<Client> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString(), options: schema ? `-c search_path=${schema}` : undefined });
  await client.connect();
  return client;
}

/** Polls readAll from the head, noting when it first saw each event. */
class LagReader {
  readonly seenAt = new Map<string, number>();
  readonly seen: RecordedEvent[] = [];
  private after: GlobalPosition | null = null;
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly store: PostgresEventStore) {}

  async start(): Promise<void> {
    for (let page = await this.store.readAll({ maxCount: 1000 }); page.length > 0; page = await this.store.readAll({ after: this.after, maxCount: 1000 })) {
      this.after = page[page.length - 1].position;
    }
    this.loop = (async () => {
      while (this.running) if ((await this.poll()) === 0) await pause(5);
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async poll(): Promise<number> {
    const page = await this.store.readAll({ after: this.after, maxCount: 100 });
    const now = performance.now();
    for (const e of page) {
      this.seenAt.set(e.id, now);
      this.seen.push(e);
    }
    if (page.length > 0) this.after = page[page.length - 1].position;
    return page.length;
  }
}

/** 100 single-event appends a second for `loadMs` while a reader polls; the lag of each event from its append returning to the reader seeing it. */
async function lagsUnderLoad(store: PostgresEventStore, loadMs: number): Promise<number[]> {
  const reader = new LagReader(store);
  await reader.start();
  const appendedAt = new Map<string, number>();
  const started = performance.now();
  const appends: Promise<void>[] = [];
  for (let i = 0; i < (APPENDS_PER_SECOND * loadMs) / 1000; i++) {
    const due = started + (i * 1000) / APPENDS_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
    const e = event();
    appends.push(store.appendToStream(`horizon-${randomUUID()}`, [e], { expectedRevision: 'no_stream' }).then(() => void appendedAt.set(e.id, performance.now())));
  }
  await Promise.all(appends);
  const deadline = performance.now() + 5_000;
  while (reader.seenAt.size < appendedAt.size && performance.now() < deadline) await pause(10);
  await reader.stop();

  expect([...appendedAt.keys()].filter((id) => !reader.seenAt.has(id))).toEqual([]);
  for (let i = 1; i < reader.seen.length; i++) expect(comparePositions(reader.seen[i - 1].position, reader.seen[i].position)).toBeLessThan(0);
  // The reader may see an event a moment before its append's promise settles: that is no lag.
  return [...appendedAt].map(([id, at]) => Math.max(0, reader.seenAt.get(id)! - at)).sort((a, b) => a - b);
}

function report(what: string, lags: readonly number[]): void {
  const at = (q: number): string => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))].toFixed(1);
  process.stdout.write(`${what}: ${lags.length} events, lag p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${lags[lags.length - 1].toFixed(1)} ms\n`);
}

/** A write transaction held open: it has an id, so it holds back the server's snapshot xmin in every database. */
async function openWriteTransaction(client: Client): Promise<bigint> {
  await client.query('BEGIN');
  const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  return BigInt(rows[0].xid);
}

describe('PostgresEventStore read horizon: only appends in flight hold readAll back', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    schema = await createTestSchema('es_horizon');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 8 });
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  /** What the horizon was before: the server's snapshot xmin, which the open transaction holds at or below its id. */
  async function expectHeldBackXmin(xid: bigint): Promise<void> {
    const probe = await session(testDatabase);
    try {
      const { rows } = await probe.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
      expect(BigInt(rows[0].xmin)).toBeLessThanOrEqual(xid);
    } finally {
      await probe.end();
    }
  }

  it.each([
    ['in another database for 10 s', 'postgres', LONG_LOAD_MS],
    ['in this database, outside the event store', testDatabase, LOAD_MS],
  ])('a write transaction open %s delays 99 % of events by less than 250 ms, and none by a second', async (where, database, loadMs) => {
    const other = await session(database);
    try {
      await other.query('CREATE TEMPORARY TABLE unrelated (n int)');
      const xid = await openWriteTransaction(other);
      await other.query('INSERT INTO unrelated VALUES (1)');
      await expectHeldBackXmin(xid);

      const lags = await lagsUnderLoad(store, loadMs);

      report(`open transaction ${where}`, lags);
      await expectHeldBackXmin(xid);
      expect(lags[Math.floor(0.99 * (lags.length - 1))]).toBeLessThan(P99_LAG_MS);
      expect(lags[lags.length - 1]).toBeLessThan(MAX_LAG_MS);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  }, 30_000);

  it("another schema's append in flight does not hold this one back", async () => {
    const elsewhere = await createTestSchema('es_horizon_other');
    const otherStore = await PostgresEventStore.connect({ url: elsewhere.url, schema: elsewhere.schema, max: 1 });
    const other = await session(testDatabase, elsewhere.schema);
    try {
      await other.query('BEGIN');
      await other.query(
        "INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash) VALUES ($1, 'held', 0, 'Happened', '{}', '{}', 'x')",
        [randomUUID()],
      );
      const reader = new LagReader(store);
      await reader.start();
      await reader.stop();
      const appended = event();
      await store.appendToStream(`horizon-${randomUUID()}`, [appended]);

      expect(await reader.poll()).toBe(1);
      expect(reader.seen.map((e) => e.id)).toEqual([appended.id]);
      expect((await store.readHorizon()).heldBy).toBeNull();
      expect((await otherStore.readHorizon()).heldBy).toMatchObject({ pid: expect.any(Number) });
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
      await otherStore.close();
      await elsewhere.drop();
    }
  });

  describe('an append still in flight', () => {
    let admin: Client;

    beforeAll(async () => {
      admin = await session(testDatabase, schema.schema);
      // A row trigger runs after the row's defaults, so the append sleeps with its transaction id and the append lock.
      await admin.query(`
        CREATE FUNCTION slow_append() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NEW; END $$;
        CREATE TRIGGER slow_append BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.stream_id LIKE 'slow-%') EXECUTE FUNCTION slow_append();
      `);
    });

    afterAll(async () => {
      await admin.query('DROP TRIGGER slow_append ON events; DROP FUNCTION slow_append()');
      await admin.end();
    });

    it('holds back an event committed after it, names its session, and both then arrive in order', async () => {
      const reader = new LagReader(store);
      await reader.start();
      await reader.stop();
      const slow = event();
      const slowAppend = store.appendToStream(`slow-${randomUUID()}`, [slow]);
      let horizon = await store.readHorizon();
      while (horizon.heldBy === null) horizon = await store.readHorizon();
      const fast = event();
      await store.appendToStream(`fast-${randomUUID()}`, [fast]);

      for (let i = 0; i < 20; i++) {
        expect(await reader.poll()).toBe(0);
        await pause(20);
      }
      horizon = await store.readHorizon();
      expect(horizon.heldBy).toEqual({ pid: expect.any(Number), transactionStart: expect.any(Date), applicationName: expect.stringContaining(schema.schema) });
      expect(horizon.ageSeconds).toBeGreaterThan(0.3);

      const { position } = await slowAppend;
      while (reader.seen.length < 2) if ((await reader.poll()) === 0) await pause(5);

      expect(reader.seen.map((e) => e.id)).toEqual([slow.id, fast.id]);
      expect(reader.seen[0].position).toEqual(position);
      expect(await store.readHorizon()).toEqual({ ageSeconds: 0, heldBy: null });
    });
  });

  it('refuses an insert into events by a transaction that wrote before it without taking the append lock', async () => {
    const client = await session(testDatabase, schema.schema);
    try {
      const insert = (): Promise<unknown> =>
        client.query(
          "INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash) VALUES ($1, $2, 0, 'Happened', '{}', '{}', 'x')",
          [randomUUID(), `raw-${randomUUID()}`],
        );
      await openWriteTransaction(client);
      await expect(insert()).rejects.toMatchObject({ code: '55000' });
      await client.query('ROLLBACK');

      await client.query('BEGIN');
      await client.query(TAKE_APPEND_LOCK);
      await client.query('SELECT pg_current_xact_id()');
      await expect(insert()).resolves.toBeDefined();
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });
});
