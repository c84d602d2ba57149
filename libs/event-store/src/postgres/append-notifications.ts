import { Client, ClientConfig, Pool } from 'pg';
import { AppendListener, AppendWatch, ReconnectingWatch } from '../log-wakeups';

/** TCP keep-alive on the LISTEN connection, which is otherwise silent: a dead peer is noticed in about this long. */
const KEEP_ALIVE_DELAY_MS = 10_000;
/** PostgreSQL's longest identifier (NAMEDATALEN - 1). */
const MAX_CHANNEL_LENGTH = 63;
const CHANNEL_PREFIX = 'mfh_appends_';

/** A notification channel of one schema: `prefix` and the schema's name, cut to an identifier's length. */
export function schemaChannel(prefix: string, schema: string): string {
  return `${prefix}${schema}`.slice(0, MAX_CHANNEL_LENGTH);
}

/** {@link schemaChannel} in SQL, for the schema that `schemaSql` names when it runs. */
export function schemaChannelSql(prefix: string, schemaSql: string): string {
  return `left('${prefix}' || ${schemaSql}, ${MAX_CHANNEL_LENGTH})`;
}

/**
 * The channel the events table of `schema` notifies after every insert (migration
 * 0003-notify-appends), cut as the trigger cuts it: two long schema names that share their first
 * 51 characters share a channel, which only costs spurious wake-ups.
 */
export function appendsChannel(schema: string): string {
  return schemaChannel(CHANNEL_PREFIX, schema);
}

/** SQL for the trigger function: the same channel name as {@link appendsChannel}. */
export const APPENDS_CHANNEL_SQL = schemaChannelSql(CHANNEL_PREFIX, 'TG_TABLE_SCHEMA');

/**
 * LISTENs on its own connection (same settings as `pool`, outside it, so it takes no pooled
 * session), for the schema the pool's search_path selects. The connection is opened again with
 * backoff whenever it is lost (a restart, pg_terminate_backend), and every (re)connection is
 * announced as an append, since notifications sent while it was away are gone.
 */
export function watchPostgresAppends(pool: Pool, listener: AppendListener): AppendWatch {
  return watchPostgresChannel(pool, appendsChannel, listener, () => listener.appended());
}

/**
 * LISTENs to `channel(schema)` for the schema the pool's search_path selects, on a connection of its
 * own opened again with backoff whenever it is lost. `listener.appended` is called once it listens,
 * after every (re)connection, and `notified` with each notification's payload.
 */
export function watchPostgresChannel(
  pool: Pool,
  channel: (schema: string) => string,
  listener: AppendListener,
  notified: (payload: string) => void,
): AppendWatch {
  const config: ClientConfig = { ...(pool.options as ClientConfig), keepAlive: true, keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS };
  return new ReconnectingWatch(true, listener, (connected, closing) => listenUntilLost(config, channel, notified, connected, closing));
}

async function listenUntilLost(
  config: ClientConfig,
  channel: (schema: string) => string,
  notified: (payload: string) => void,
  connected: () => void,
  closing: AbortSignal,
): Promise<unknown> {
  const client = new Client(config);
  let lose!: (reason: unknown) => void;
  const lost = new Promise<unknown>((resolve) => (lose = resolve));
  client.on('error', (error) => lose(error));
  client.on('end', () => lose(new Error('The LISTEN connection to PostgreSQL ended')));
  client.on('notification', (message) => notified(message.payload ?? ''));
  const close = (): void => {
    lose(undefined);
    client.end().catch(() => undefined);
  };
  closing.addEventListener('abort', close, { once: true });
  try {
    await client.connect();
    const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
    if (rows[0].schema === null) throw new Error('The LISTEN connection has no schema on its search_path');
    await client.query(`LISTEN "${channel(rows[0].schema)}"`);
    connected();
    return await lost;
  } finally {
    closing.removeEventListener('abort', close);
    await client.end().catch(() => undefined);
  }
}
