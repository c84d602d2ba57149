import { createPgPool, EventStore, runMigrations } from '@mfh/event-store';
import { CatchUpRunner, projectionConsumer, readModelMigrations, readModelProjections } from '@mfh/read-models';
import { createTestSchema } from './postgres';
import { inMemoryStore } from './use-cases';
import type { Pool } from 'pg';

/** The read models on a fresh schema, fed from an in-memory log, for the list queries' specs. */
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
