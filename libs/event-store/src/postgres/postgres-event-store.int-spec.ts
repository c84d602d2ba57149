import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { eventStoreContract } from '../event-store.contract';
import { DuplicateEventIdError } from '../event-store.errors';
import { eventHash } from '../event-hash';
import { EventStore, GlobalPosition, NewEvent, RecordedEvent } from '../event-store.port';
import { comparePositions } from '../global-position';
import { eventStoreMigrations, TAKE_APPEND_LOCK } from './event-store.migrations';
import { createPgPool } from './pg-pool';
import { PostgresEventStore, READ_STREAM_TAILS } from './postgres-event-store';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

eventStoreContract('postgres', async () => {
  const schema = await createTestSchema('es_contract');
  const store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 5 });
  return { store, dispose: () => schema.drop() };
});

const stream = (): string => `pg-${randomUUID()}`;
const event = (data: Record<string, unknown> = {}): NewEvent => ({
  id: randomUUID(),
  type: 'Happened',
  data: { value: randomUUID(), ...data },
  metadata: { actor: 'postgres-spec' },
});
const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** The hash of a first event written by hand as `{}`/`{}` 'Happened', so raw inserts keep a valid chain. */
const firstHash = (id: string, streamId: string): string =>
  eventHash({ streamId, revision: 0, id, type: 'Happened', data: {}, metadata: {}, previousHash: null });

/** A projection-style reader: pages through readAll, always from the last position it saw. */
class CatchUpReader {
  readonly seen: RecordedEvent[] = [];

  private constructor(
    private readonly store: EventStore,
    private checkpoint: GlobalPosition | null,
    private readonly pageSize: number,
  ) {}

  static async atHead(store: EventStore, pageSize = 100): Promise<CatchUpReader> {
    const reader = new CatchUpReader(store, null, pageSize);
    await reader.poll();
    reader.seen.length = 0;
    return reader;
  }

  /** Reads until a page comes back empty; returns what this call read. */
  async poll(): Promise<RecordedEvent[]> {
    const read: RecordedEvent[] = [];
    for (;;) {
      const page = await this.store.readAll({ after: this.checkpoint, maxCount: this.pageSize });
      if (page.length === 0) return read;
      read.push(...page);
      this.seen.push(...page);
      this.checkpoint = page[page.length - 1].position;
    }
  }

  // An append in flight in this schema delays readAll, so wait for events, not a fixed time.
  async pollUntil(done: (seen: readonly RecordedEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.seen)) {
      if (Date.now() > deadline) throw new Error(`Reader gave up after ${timeoutMs} ms with ${this.seen.length} events`);
      if ((await this.poll()).length === 0) await pause(10);
    }
  }
}

const containsAll =
  (wanted: readonly string[]) =>
  (seen: readonly RecordedEvent[]): boolean => {
    const have = new Set(ids(seen));
    return wanted.every((id) => have.has(id));
  };

function expectStrictlyIncreasing(events: readonly RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(comparePositions(events[i - 1].position, events[i].position)).toBeLessThan(0);
  }
}

describe('PostgresEventStore', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    schema = await createTestSchema('es_pg');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 5 });
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  describe('global order with transactions that commit out of order', () => {
    let slow: Client;

    beforeEach(async () => {
      slow = new Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
      await slow.connect();
    });

    afterEach(async () => {
      await slow.query('ROLLBACK');
      await slow.end();
    });

    it('holds back an event committed after an open earlier transaction, then delivers both once, in order', async () => {
      const reader = await CatchUpReader.atHead(store, 1);
      const slowStream = stream();
      const fastStream = stream();
      const slowId = randomUUID();

      await slow.query('BEGIN');
      const {
        rows: [slowRow],
      } = await slow.query<{ global_position: string }>(
        `INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash)
         VALUES ($1, $2, 0, 'Happened', '{}', '{}', $3) RETURNING global_position`,
        [slowId, slowStream, firstHash(slowId, slowStream)],
      );
      const fast = event();
      const fastResult = await store.appendToStream(fastStream, [fast], { expectedRevision: 'no_stream' });
      // The trap for a reader ordered by position alone: the later commit holds the higher position.
      expect(BigInt(slowRow.global_position)).toBeLessThan(fastResult.position.prepare);

      expect(await reader.poll()).toEqual([]);
      expect(await store.readStream(fastStream)).toHaveLength(1);

      await slow.query('COMMIT');
      await reader.pollUntil(containsAll([slowId, fast.id]));
      await reader.poll();

      expect(ids(reader.seen)).toEqual([slowId, fast.id]);
      expect(reader.seen[1].position).toEqual(fastResult.position);
      expectStrictlyIncreasing(reader.seen);
    });

    it('orders by transaction id first, even when the earlier transaction wrote its row last', async () => {
      const reader = await CatchUpReader.atHead(store);
      const slowId = randomUUID();
      const slowStream = stream();

      await slow.query('BEGIN');
      // It gets its id before it writes events, so it must take the append lock before that (0004 refuses otherwise).
      await slow.query(TAKE_APPEND_LOCK);
      await slow.query('SELECT pg_current_xact_id()');
      const fast = event();
      await store.appendToStream(stream(), [fast]);
      await slow.query(
        `INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash)
         VALUES ($1, $2, 0, 'Happened', '{}', '{}', $3)`,
        [slowId, slowStream, firstHash(slowId, slowStream)],
      );
      expect(await reader.poll()).toEqual([]);

      await slow.query('COMMIT');
      await reader.pollUntil(containsAll([slowId, fast.id]));

      expect(ids(reader.seen)).toEqual([slowId, fast.id]);
      expect(reader.seen[0].position.prepare).toBeGreaterThan(reader.seen[1].position.prepare);
    });
  });

  it('a reader paging concurrently with many appenders sees every event exactly once, in order', async () => {
    const readerStore = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 1 });
    try {
      const reader = await CatchUpReader.atHead(readerStore, 7);
      const streams = range(20).map(() => stream());
      const written: string[] = [];
      let appending = true;

      const readerLoop = (async () => {
        while (appending) await reader.poll();
      })();
      await Promise.all(
        streams.map(async (id) => {
          let revision = -1;
          for (const size of [1, 3, 2, 1, 2, 1, 1, 3]) {
            const batch = range(size).map(() => event());
            const result = await store.appendToStream(id, batch, { expectedRevision: revision < 0 ? 'no_stream' : revision });
            revision = result.nextExpectedRevision;
            written.push(...ids(batch));
          }
        }),
      );
      appending = false;
      await readerLoop;
      await reader.pollUntil(containsAll(written));

      expect(reader.seen).toHaveLength(written.length);
      expect(new Set(ids(reader.seen)).size).toBe(written.length);
      expectStrictlyIncreasing(reader.seen);
      for (const id of streams) {
        const revisions = reader.seen.filter((e) => e.streamId === id).map((e) => e.revision);
        expect(revisions).toEqual(range(14));
      }
    } finally {
      await readerStore.close();
    }
  });

  describe('appendToStream', () => {
    it("concurrent appends with 'any' to one stream all succeed, each batch on consecutive revisions", async () => {
      const id = stream();
      const batches = range(20).map((n) => [event({ batch: n }), event({ batch: n })]);

      const results = await Promise.all(batches.map((batch) => store.appendToStream(id, batch, { expectedRevision: 'any' })));

      expect(results.map((r) => r.nextExpectedRevision).sort((a, b) => a - b)).toEqual(range(20).map((n) => 2 * n + 1));
      const read = await store.readStream(id);
      expect(read.map((e) => e.revision)).toEqual(range(40));
      for (let i = 0; i < read.length; i += 2) expect(read[i].data.batch).toBe(read[i + 1].data.batch);
    });

    it('concurrent re-sends of one append all succeed and store the events once', async () => {
      const id = stream();
      const batch = [event(), event()];

      const results = await Promise.all(range(8).map(() => store.appendToStream(id, batch, { expectedRevision: 'no_stream' })));

      expect(results.map((r) => r.nextExpectedRevision)).toEqual(range(8).map(() => 1));
      expect(ids(await store.readStream(id))).toEqual(ids(batch));
    });

    it('refuses an event id already stored in another stream, writing nothing', async () => {
      const taken = event();
      await store.appendToStream(stream(), [taken]);
      const id = stream();

      const error = await store.appendToStream(id, [event(), taken]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ streamId: id, eventId: taken.id });
      expect(await store.readStream(id)).toEqual([]);
    });

    it('refuses the same event id twice in one batch', async () => {
      const id = stream();
      const twice = event();

      await expect(store.appendToStream(id, [twice, twice])).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(await store.readStream(id)).toEqual([]);
    });

    it('recognises a re-append whose ids differ only in letter case', async () => {
      const id = stream();
      const original = event();
      const first = await store.appendToStream(id, [original], { expectedRevision: 'no_stream' });

      const again = await store.appendToStream(id, [{ ...original, id: original.id.toUpperCase() }], {
        expectedRevision: 'no_stream',
      });

      expect(again).toEqual({ ...first, alreadyStored: true });
    });

    it('gives a batch one commit position (its transaction) and rising prepare positions in revision order', async () => {
      const id = stream();
      const result = await store.appendToStream(id, [event(), event(), event()]);

      const read = await store.readStream(id);

      expect(new Set(read.map((e) => e.position.commit)).size).toBe(1);
      expectStrictlyIncreasing(read);
      expect(read[2].position).toEqual(result.position);
    });

    it('an empty append checks the expectation and reports the stream as it is', async () => {
      const id = stream();
      expect(await store.appendToStream(id, [], { expectedRevision: 'no_stream' })).toEqual({
        nextExpectedRevision: -1,
        position: { commit: -1n, prepare: -1n },
      });
      const written = await store.appendToStream(id, [event()]);
      expect(await store.appendToStream(id, [], { expectedRevision: 0 })).toEqual(written);
    });
  });

  it('reads stream tails through the stream index on a table never analysed, not by scanning every event', async () => {
    const fresh = await createTestSchema('es_tails_plan');
    const local = await PostgresEventStore.connect({ url: fresh.url, schema: fresh.schema, max: 4 });
    const plan = new Client({ connectionString: fresh.url, options: `-c search_path=${fresh.schema}` });
    await plan.connect();
    try {
      // A few thousand events of a realistic size, as a deployment holds in its first hour.
      const streams = range(400).map(() => stream());
      const payload = { note: 'x'.repeat(400) };
      for (let i = 0; i < streams.length; i += 8) {
        await Promise.all(streams.slice(i, i + 8).map((id) => local.appendToStream(id, range(8).map(() => event(payload)))));
      }
      const asked = streams.slice(0, 16);
      const { rows } = await plan.query<{ 'QUERY PLAN': unknown }>({
        text: `EXPLAIN (FORMAT JSON) ${READ_STREAM_TAILS.text}`,
        values: [asked, asked.map(() => '6')],
      });
      const scans: string[] = [];
      const walk = (node: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }): void => {
        if (node['Relation Name'] === 'events') scans.push(node['Node Type']);
        for (const child of node.Plans ?? []) walk(child as typeof node);
      };
      walk((rows[0]['QUERY PLAN'] as [{ Plan: Parameters<typeof walk>[0] }])[0].Plan);
      expect(scans.length).toBeGreaterThan(0);
      expect(scans).not.toContain('Seq Scan');

      const tails = await local.readStreamTails(asked.map((streamId) => ({ streamId, afterRevision: 6 })));
      expect(tails.map((events) => events.map((e) => e.revision))).toEqual(asked.map(() => [7]));
    } finally {
      await plan.end();
      await local.close();
      await fresh.drop();
    }
  });

  it('counts the events after a position, and all of them without one', async () => {
    const total = await store.countAfter();
    const first = await store.appendToStream(stream(), [event()]);
    await store.appendToStream(stream(), [event(), event()]);
    expect(await store.countAfter()).toBe(total + 3);
    expect(await store.countAfter(first.position)).toBe(2);
  });

  describe('connecting', () => {
    it('migrates a schema once: racing and repeated connects share one table', async () => {
      const fresh = await createTestSchema('es_migrate');
      const connect = (): Promise<PostgresEventStore> =>
        PostgresEventStore.connect({ url: fresh.url, schema: fresh.schema, max: 1 });
      const stores: PostgresEventStore[] = await Promise.all([connect(), connect()]);
      try {
        const later = await connect();
        stores.push(later);
        const id = stream();
        const written = event();
        await stores[0].appendToStream(id, [written]);
        expect(ids(await later.readStream(id))).toEqual([written.id]);

        const admin = new Client({ connectionString: fresh.url });
        await admin.connect();
        try {
          const { rows } = await admin.query(`SELECT id FROM ${fresh.schema}.schema_migrations WHERE component = 'event-store'`);
          expect(rows.map((r) => r.id)).toEqual(eventStoreMigrations.map((m) => m.id));
        } finally {
          await admin.end();
        }
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await fresh.drop();
      }
    });

    it('keeps each schema to itself', async () => {
      const other = await createTestSchema('es_other');
      const otherStore = await PostgresEventStore.connect({ url: other.url, schema: other.schema, max: 1 });
      try {
        const id = stream();
        await store.appendToStream(id, [event()]);
        expect(await otherStore.readStream(id)).toEqual([]);
      } finally {
        await otherStore.close();
        await other.drop();
      }
    });

    it('leaves a pool it was given open on close', async () => {
      const pool: Pool = createPgPool({ url: schema.url, schema: schema.schema, max: 1 });
      try {
        const borrowed = new PostgresEventStore(pool);
        await borrowed.ping();
        await borrowed.close();
        await expect(pool.query('SELECT 1')).resolves.toBeDefined();
      } finally {
        await pool.end();
      }
    });
  });
});
