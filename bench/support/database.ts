/**
 * The benchmarks' own PostgreSQL connections, apart from the pools of the code they measure: each
 * run works in a schema of its own, created and dropped here, and counts what it wrote.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl } from './settings';

/** A fresh schema name, `bench_<random>`; clean-up and the README rely on that prefix. */
export function newSchemaName(): string {
  return `bench_${randomBytes(6).toString('hex')}`;
}

/** One short-lived connection for `use`, closed whatever happens. */
export async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** One statement outside the schema under test: CREATE SCHEMA, DROP SCHEMA and the like. */
export async function admin(sql: string): Promise<void> {
  await withClient((client) => client.query(sql));
}

export function dropSchema(schema: string): Promise<void> {
  return admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

/** Events in `schema`: all of them, those in `streams`, or those of one `type`. */
export function countEvents(schema: string, where: { streams?: string[]; type?: string } = {}): Promise<number> {
  return withClient(async (client) => {
    const { rows } = where.streams
      ? await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events WHERE stream_id = ANY($1)`, [where.streams])
      : where.type !== undefined
        ? await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events WHERE event_type = $1`, [where.type])
        : await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events`);
    return Number(rows[0].count);
  });
}
