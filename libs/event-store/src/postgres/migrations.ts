import type { Pool, PoolClient } from 'pg';
import { retryWhileUnavailable } from '../store-availability';
import { assertIdentifier } from './pg-pool';

export interface Migration {
  /** Ordered, never renamed or edited once shipped. */
  readonly id: string;
  readonly sql: string;
  /** Runs after `sql`, in the same transaction and with the same search_path: for data changes SQL alone cannot make. */
  readonly run?: (client: PoolClient) => Promise<void>;
}

/**
 * Applies the component's migrations that are not yet recorded, each in its own transaction, under
 * an advisory lock so that processes starting together (api and worker) do not race.
 */
export async function runMigrations(pool: Pool, schema: string, component: string, migrations: readonly Migration[]): Promise<void> {
  assertIdentifier(schema);
  const client = await pool.connect();
  try {
    // Lock first: concurrent CREATE SCHEMA IF NOT EXISTS can still collide on the catalog's unique index.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`mfh-migrations:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
          component text NOT NULL,
          id text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (component, id)
        )`);
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM ${schema}.schema_migrations WHERE component = $1`,
        [component],
      );
      const applied = new Set(rows.map((r) => r.id));
      for (const migration of migrations) {
        if (applied.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path TO ${schema}`);
          await client.query(migration.sql);
          await migration.run?.(client);
          await client.query(`INSERT INTO ${schema}.schema_migrations (component, id) VALUES ($1, $2)`, [component, migration.id]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`mfh-migrations:${schema}`]);
    }
  } finally {
    client.release();
  }
}

/**
 * {@link runMigrations} for a long-running process that may start before its database: while
 * PostgreSQL cannot be reached it waits (with backoff, logged) instead of failing.
 */
export function runMigrationsWhenAvailable(pool: Pool, schema: string, component: string, migrations: readonly Migration[]): Promise<void> {
  return retryWhileUnavailable(() => runMigrations(pool, schema, component, migrations), { what: `${component} migrations` });
}

/**
 * The component's migrations not yet applied to `schema`, without changing anything: all of them
 * when the schema or its migrations table does not exist.
 */
export async function pendingMigrations(pool: Pool, schema: string, component: string, migrations: readonly Migration[]): Promise<string[]> {
  assertIdentifier(schema);
  const { rows: tables } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`${schema}.schema_migrations`]);
  if (!tables[0].exists) return migrations.map((m) => m.id);
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations WHERE component = $1`, [component]);
  const applied = new Set(rows.map((r) => r.id));
  return migrations.filter((m) => !applied.has(m.id)).map((m) => m.id);
}
