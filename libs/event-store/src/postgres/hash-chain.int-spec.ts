import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { eventHash, verifyChain } from '../event-hash';
import type { NewEvent } from '../event-store.port';
import { eventStoreMigrations } from './event-store.migrations';
import { runMigrations } from './migrations';
import { createPgPool } from './pg-pool';
import { PostgresEventStore } from './postgres-event-store';

const stream = (): string => `chain-${randomUUID()}`;
const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'SeatsChanged',
  data: { seats: n, note: { list: [n, 'x'] } },
  metadata: { actor: 'hash-chain-spec', occurredAt: new Date().toISOString() },
});

async function connectClient(schema: TestSchema): Promise<Client> {
  const client = new Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
  await client.connect();
  return client;
}

describe('PostgresEventStore hash chain against edits made directly in the database', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let sql: Client;

  beforeAll(async () => {
    schema = await createTestSchema('es_chain');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 2 });
    sql = await connectClient(schema);
  });

  afterAll(async () => {
    await sql?.end();
    await store?.close();
    await schema?.drop();
  });

  /** A stream of five events written in two appends. */
  async function written(): Promise<string> {
    const id = stream();
    await store.appendToStream(id, [event(0), event(1), event(2)], { expectedRevision: 'no_stream' });
    await store.appendToStream(id, [event(3), event(4)], { expectedRevision: 2 });
    expect(verifyChain(await store.readStream(id))).toEqual({ valid: true, events: 5, brokenAtRevision: null, reason: null });
    return id;
  }

  it('detects an edited data column at that revision', async () => {
    const id = await written();
    await sql.query(
      `UPDATE events SET data = jsonb_set(data, '{seats}', '99') WHERE stream_id = $1 AND stream_revision = 2`,
      [id],
    );
    expect(verifyChain(await store.readStream(id))).toEqual({
      valid: false,
      events: 3,
      brokenAtRevision: 2,
      reason: 'content-altered',
    });
  });

  it('detects edited metadata and an edited event type', async () => {
    const id = await written();
    await sql.query(
      `UPDATE events SET metadata = metadata || '{"actor": "someone-else"}' WHERE stream_id = $1 AND stream_revision = 4`,
      [id],
    );
    expect(verifyChain(await store.readStream(id))).toMatchObject({ brokenAtRevision: 4, reason: 'content-altered' });

    const other = await written();
    await sql.query(`UPDATE events SET event_type = 'SeatsRefunded' WHERE stream_id = $1 AND stream_revision = 0`, [other]);
    expect(verifyChain(await store.readStream(other))).toMatchObject({ brokenAtRevision: 0, reason: 'content-altered' });
  });

  it('detects an overwritten hash column at that revision', async () => {
    const id = await written();
    await sql.query(`UPDATE events SET hash = repeat('0', 64) WHERE stream_id = $1 AND stream_revision = 1`, [id]);
    expect(verifyChain(await store.readStream(id))).toEqual({
      valid: false,
      events: 2,
      brokenAtRevision: 1,
      reason: 'content-altered',
    });
  });

  it('detects an edit whose hash was recomputed to match, at the next revision', async () => {
    const id = await written();
    await sql.query(
      `UPDATE events SET data = jsonb_set(data, '{seats}', '99') WHERE stream_id = $1 AND stream_revision = 1`,
      [id],
    );
    const [edited] = await store.readStream(id, { fromRevision: 1, maxCount: 1 });
    await sql.query(`UPDATE events SET hash = $2 WHERE stream_id = $1 AND stream_revision = 1`, [id, eventHash(edited)]);
    expect(verifyChain(await store.readStream(id))).toEqual({
      valid: false,
      events: 3,
      brokenAtRevision: 2,
      reason: 'previous-hash-mismatch',
    });
  });

  it('detects an edited previous_hash column and a deleted row', async () => {
    const id = await written();
    await sql.query(`UPDATE events SET previous_hash = NULL WHERE stream_id = $1 AND stream_revision = 3`, [id]);
    expect(verifyChain(await store.readStream(id))).toMatchObject({ brokenAtRevision: 3, reason: 'previous-hash-mismatch' });

    const other = await written();
    await sql.query(`DELETE FROM events WHERE stream_id = $1 AND stream_revision = 2`, [other]);
    expect(verifyChain(await store.readStream(other))).toMatchObject({ brokenAtRevision: 2, reason: 'revision-gap' });
  });
});

describe('migration 0002-hash-chain', () => {
  it('backfills the chain of events written before it, across backfill pages, and appends continue it', async () => {
    const schema = await createTestSchema('es_backfill');
    const pool = createPgPool({ url: schema.url, schema: schema.schema, max: 1 });
    let store: PostgresEventStore | undefined;
    try {
      const [first] = eventStoreMigrations;
      expect(first.id).toBe('0001-create-events');
      await runMigrations(pool, schema.schema, 'event-store', [first]);

      // Written the way the adapter wrote before 0002: no hash columns exist yet. The long stream
      // spans the backfill's 1000-event pages; the streams are interleaved in the global order.
      const streams = { long: stream(), short: stream(), single: stream() };
      await pool.query(
        `INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata)
        SELECT gen_random_uuid(), s.stream_id, s.revision, 'SeatsChanged',
          jsonb_build_object('seats', s.revision, 'note', jsonb_build_object('z', 1, 'a', 'Zürich')),
          jsonb_build_object('actor', 'before-0002', 'occurredAt', '2024-12-31T00:00:00.000Z')
        FROM (
          SELECT $1::text AS stream_id, r AS revision, r * 3 AS ord FROM generate_series(0, 2199) AS r
          UNION ALL SELECT $2, r, r * 3 + 1 FROM generate_series(0, 4) AS r
          UNION ALL SELECT $3, 0, 2
        ) AS s
        ORDER BY s.ord`,
        [streams.long, streams.short, streams.single],
      );

      store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 2 });

      const { rows: applied } = await pool.query(`SELECT id FROM schema_migrations WHERE component = 'event-store' ORDER BY id`);
      expect(applied.map((r) => r.id)).toEqual(eventStoreMigrations.map((m) => m.id));
      const { rows: nulls } = await pool.query(`SELECT count(*)::int AS n FROM events WHERE hash IS NULL`);
      expect(nulls[0].n).toBe(0);
      const { rows: columns } = await pool.query(
        `SELECT column_name, is_nullable FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'events' AND column_name IN ('hash', 'previous_hash') ORDER BY column_name`,
        [schema.schema],
      );
      expect(columns).toEqual([
        { column_name: 'hash', is_nullable: 'NO' },
        { column_name: 'previous_hash', is_nullable: 'YES' },
      ]);

      for (const [id, count] of [
        [streams.long, 2200],
        [streams.short, 5],
        [streams.single, 1],
      ] as const) {
        const events = await store.readStream(id);
        expect(events[0].previousHash).toBeNull();
        expect(verifyChain(events)).toEqual({ valid: true, events: count, brokenAtRevision: null, reason: null });
      }

      const before = await store.readStream(streams.short);
      await store.appendToStream(streams.short, [event(5)], { expectedRevision: 4 });
      const after = await store.readStream(streams.short);
      expect(after[5].previousHash).toBe(before[4].hash);
      expect(verifyChain(after)).toMatchObject({ valid: true, events: 6 });
    } finally {
      await store?.close();
      await pool.end();
      await schema.drop();
    }
  });

  it('applies to an empty store', async () => {
    const schema = await createTestSchema('es_backfill');
    try {
      const store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 1 });
      const id = stream();
      await store.appendToStream(id, [event(0)]);
      expect(verifyChain(await store.readStream(id))).toMatchObject({ valid: true, events: 1 });
      await store.close();
    } finally {
      await schema.drop();
    }
  });
});
