import { Pool, PoolConfig } from 'pg';

export interface PgConnectionOptions {
  url: string;
  /** Every table lives in this schema; tests give each file its own. */
  schema?: string;
  max?: number;
  applicationName?: string;
}

/** How long getting a connection may take before the query fails. */
const CONNECTION_TIMEOUT_MS = 5_000;

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
    // With the schema, so that an operator (or a fault test) can tell one system's sessions from another's.
    application_name: `${options.applicationName ?? 'marketplace-fulfillment-hub'} ${schema}`.slice(0, 63),
    options: `-c search_path=${schema}`,
    // A server that is down refuses at once; one that is unreachable must not hold a request forever.
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    keepAlive: true,
  };
  const pool = new Pool(config);
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one: while a caller holds a client across awaits, pg-pool's idle listener
  // is detached, and a terminated backend emits 'error' on the client, which without a listener
  // kills the process. The caller's pending or next query fails instead, and release() drops it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
