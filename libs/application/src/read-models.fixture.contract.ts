import { createPgPool, EventStore, runMigrations } from '@mfh/event-store';
import { CatchUpRunner, projectionConsumer, readModelMigrations, readModelProjections } from '@mfh/read-models';
import { createTestSchema, inMemoryStore } from '@mfh/testing';
import type { Pool } from 'pg';

/** Test support for the list queries' specs (not shipped: the build leaves *.contract.ts out). */
export interface ReadModelsFixture {
  /** The log, in memory. */
  store: EventStore;
  /** The read models, on a fresh PostgreSQL schema. */
  pool: Pool;
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
    project: () => runner.catchUp(),
    close: async () => {
      await pool.end();
      await schema.drop();
    },
  };
}
