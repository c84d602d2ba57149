import { Pool, PoolConfig } from 'pg';

export interface PgConnectionOptions {
  url: string;
  /** Every table lives in this schema; tests give each file its own. */
  schema?: string;
  max?: number;
  applicationName?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a safe PostgreSQL identifier: ${name}`);
  return name;
}

export function createPgPool(options: PgConnectionOptions): Pool {
  const schema = assertIdentifier(options.schema ?? 'public');
  const config: PoolConfig = {
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'marketplace-fulfillment-hub',
    options: `-c search_path=${schema}`,
  };
  const pool = new Pool(config);
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
