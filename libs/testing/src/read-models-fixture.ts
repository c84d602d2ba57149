import { comparePositions, createPgPool, EventStore, formatPosition, GlobalPosition, runMigrations } from '@mfh/event-store';
import { CatchUpRunner, projectionConsumer, readCheckpoint, readModelMigrations, readModelProjections } from '@mfh/read-models';
import { createTestSchema } from './postgres';
import { inMemoryStore } from './use-cases';
import type { Pool } from 'pg';

/** The read models on a fresh schema, fed from an in-memory log, for the list queries' specs. */
export interface ReadModelsFixture {
  /** The log, in memory. */
  store: EventStore;
  /** The read models, on a fresh PostgreSQL schema. */
  pool: Pool;
  /** That schema's name. */
  schema: string;
  /** Projects everything the log holds so far. */
  project(): Promise<void>;
  close(): Promise<void>;
}

export async function readModelsFixture(): Promise<ReadModelsFixture> {
  const schema = await createTestSchema('lists');
  const pool = createPgPool({ url: schema.url, schema: schema.schema, max: 2 });
  await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
  const store = inMemoryStore();
  const runner = new CatchUpRunner(store, pool, readModelProjections.map(projectionConsumer));
  return {
    store,
    pool,
    schema: schema.schema,
    project: () => runner.catchUp(),
    close: async () => {
      await pool.end();
      await schema.drop();
    },
  };
}

/**
 * Catches up until every one of `consumers` has handled `position`. On PostgreSQL a transaction that
 * another test file holds open keeps the log's read horizon back, so one catch-up may stop short.
 */
export async function catchUpPast(
  runner: CatchUpRunner,
  pool: Pool,
  consumers: readonly string[],
  position: GlobalPosition | null,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runner.catchUp();
    if (position === null) return;
    const checkpoints = await Promise.all(consumers.map((name) => readCheckpoint(pool, name)));
    if (checkpoints.every((checkpoint) => checkpoint !== null && comparePositions(checkpoint, position) >= 0)) return;
    if (Date.now() > deadline) throw new Error(`the consumers did not reach ${formatPosition(position)} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
