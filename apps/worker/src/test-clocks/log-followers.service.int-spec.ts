import { createPgPool, formatPosition, GlobalPosition, PostgresEventStore, runMigrations, TAKE_APPEND_LOCK } from '@mfh/event-store';
import { readModelMigrations } from '@mfh/read-models';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { LogConsumers } from '../projections/log-consumers';
import { CheckpointedLogFollowers } from './log-followers.service';

/**
 * An advance waits for the log's followers; what it waits for must be the last event appended, even
 * while an append still in flight keeps the global read from handing it out.
 */
describe('CheckpointedLogFollowers (PostgreSQL)', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;
  let followers: CheckpointedLogFollowers;

  beforeAll(async () => {
    schema = await createTestSchema('followers');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema });
    pool = createPgPool({ url: schema.url, schema: schema.schema });
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
    const consumers = new LogConsumers();
    consumers.register({ name: 'follower', handle: async () => undefined });
    followers = new CheckpointedLogFollowers(consumers, store, pool);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await schema.drop();
  });

  const append = async (): Promise<GlobalPosition> =>
    (await store.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: 'Happened', data: {}, metadata: {} }])).position;
  const checkpointAt = (position: GlobalPosition) =>
    pool.query(
      `INSERT INTO projection_checkpoints (name, position) VALUES ('follower', $1)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position`,
      [formatPosition(position)],
    );
  const settled = (promise: Promise<unknown>): Promise<boolean> =>
    Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300))]);

  it('returns once every follower has handled the last event', async () => {
    await checkpointAt(await append());
    expect(await settled(followers.catchUp())).toBe(true);
  });

  it('waits for an event the global read still holds back behind an append in flight', async () => {
    await checkpointAt(await append());
    // An append that has begun (it holds the append lock and has its transaction id) and not committed yet.
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(TAKE_APPEND_LOCK);
      await blocker.query('SELECT pg_current_xact_id()');
      const held = await append();
      expect((await store.readAll({ after: null, maxCount: 10_000 })).some((event) => event.position.commit === held.commit)).toBe(false);

      const caughtUp = followers.catchUp();
      expect(await settled(caughtUp)).toBe(false);
      await checkpointAt(held);
      expect(await settled(caughtUp)).toBe(true);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
  });
});
