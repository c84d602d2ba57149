import { DatabaseError, Pool, QueryConfig } from 'pg';
import { actualRevision, checkExpectedRevision, eventIdKey, findIdempotentRepeat, MAX_APPEND_ATTEMPTS, CONFLICT_BACKOFF } from '../append-rules';
import { pause } from '../backoff';
import { chainHashes } from '../event-hash';
import { DuplicateEventIdError, WrongExpectedVersionError } from '../event-store.errors';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadHorizon,
  ReadStreamOptions,
  RecordedEvent,
  StreamRevision,
  StreamTail,
} from '../event-store.port';
import { START } from '../global-position';
import type { AppendListener, AppendWatch } from '../log-wakeups';
import { watchPostgresAppends } from './append-notifications';
import { APPEND_LOCK_CLASS_ID, EVENT_ID_CONSTRAINT, STREAM_REVISION_CONSTRAINT, eventStoreMigrations } from './event-store.migrations';
import { pendingMigrations, runMigrations, runMigrationsWhenAvailable } from './migrations';
import { PgConnectionOptions, createPgPool } from './pg-pool';

export interface PostgresEventStoreOptions {
  /** When true, {@link PostgresEventStore.close} ends the pool. */
  ownsPool?: boolean;
}

export type PostgresEventStoreConnectOptions = PgConnectionOptions & {
  schema: string;
  /**
   * Default true: apply pending migrations. False: change nothing, and refuse with
   * {@link EventStoreNotReadyError} unless the schema already holds a fully migrated event store
   * (read-only tools such as the auditors' command line).
   */
  migrate?: boolean;
  /**
   * Long-running processes: while PostgreSQL cannot be reached, the migrations keep trying (with
   * backoff, logged) instead of failing, so a process that starts before its database waits for it.
   */
  waitForServer?: boolean;
};

/** The schema holds no event store, or one that is not migrated to this version. */
export class EventStoreNotReadyError extends Error {
  constructor(schema: string, pending: readonly string[]) {
    super(
      `Schema ${schema} holds no up-to-date event store (pending migrations: ${pending.join(', ')}); ` +
        'check DATABASE_SCHEMA and EVENT_STORE_URL, or start the api once to migrate it',
    );
    this.name = 'EventStoreNotReadyError';
  }
}

const DEFAULT_READ_ALL_COUNT = 1000;
const MAX_BIGINT = '9223372036854775807';

const COLUMNS =
  'global_position, transaction_id, event_id, stream_id, stream_revision, event_type, data, metadata, recorded_at, hash, previous_hash';

// Named, so each connection parses and plans these once: that is a sizeable share of an append.
const statement = (name: string, text: string): QueryConfig => ({ name: `event-store-${name}`, text });

// One round trip: the stream's last revision and hash, and whichever of the new ids already exist anywhere.
const LOAD_APPEND_STATE = statement(
  'load-append-state',
  `SELECT coalesce(tip.tip_revision, -1) AS current_revision, tip.tip_hash AS current_hash, ${COLUMNS}
  FROM (VALUES (1)) AS one (x)
  LEFT JOIN LATERAL (
    SELECT stream_revision AS tip_revision, hash AS tip_hash FROM events
    WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1
  ) AS tip ON true
  LEFT JOIN events ON event_id = ANY($2::uuid[])`,
);

const INSERT_EVENTS = statement(
  'insert-events',
  `WITH inserted AS (
    INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash, previous_hash)
    SELECT e.event_id, $1, $2::bigint + e.ordinal, e.event_type, e.data, e.metadata, e.hash, e.previous_hash
    FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::text[])
      WITH ORDINALITY AS e(event_id, event_type, data, metadata, hash, previous_hash, ordinal)
    ORDER BY e.ordinal
    RETURNING transaction_id, global_position, stream_revision
  )
  SELECT transaction_id, global_position, stream_revision FROM inserted ORDER BY stream_revision DESC LIMIT 1`,
);

const READ_STREAM_FORWARDS = statement(
  'read-stream-forwards',
  `SELECT ${COLUMNS} FROM events
  WHERE stream_id = $1 AND stream_revision >= $2
  ORDER BY stream_revision LIMIT $3`,
);

// `tail` is each row's place in the request, so that one answer is split back in order. The lateral
// subquery (OFFSET 0 keeps the planner from flattening it into a join) looks each stream up in its
// index: as a plain join, on a table not yet analysed, the planner chose to scan every event and
// hash them, 40 times the cost, which capped the single reads of a fresh deployment.
export const READ_STREAM_TAILS = statement(
  'read-stream-tails',
  `SELECT t.tail, ${COLUMNS.split(', ').map((column) => `e.${column}`).join(', ')}
  FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(stream_id, after, tail)
  CROSS JOIN LATERAL (
    SELECT ${COLUMNS} FROM events WHERE stream_id = t.stream_id AND stream_revision > t.after OFFSET 0
  ) AS e
  ORDER BY t.tail, e.stream_revision`,
);

const READ_STREAM_BACKWARDS = statement(
  'read-stream-backwards',
  `SELECT ${COLUMNS} FROM events
  WHERE stream_id = $1 AND stream_revision <= $2
  ORDER BY stream_revision DESC LIMIT $3`,
);

// The horizon readAll reads below: this snapshot's xmax, or the lowest transaction id among this
// schema's appends in flight (holders of the append lock that have an id) if lower. A session that
// holds no append lock, in this database or another, holds nothing back. READ_ALL runs after it.
//
// No event is skipped. Facts: (1) an append takes the lock before it has an id (trigger 0004);
// (2) it keeps the lock until it is visible as ended (commit leaves the proc array, then releases
// locks); (3) every id below a snapshot's xmax was assigned before that snapshot, and a backend_xid
// read later shows it. Say append A, id x < horizon, has not ended in READ_ALL's (later) snapshot.
// By (3) A had x before this statement's snapshot, so by (1) and (2) it held the lock all through
// this statement, which saw backend_xid x: horizon <= x, a contradiction. So READ_ALL sees every
// event below the horizon, and any committed later has an id >= horizon: it sorts after them all.
const READ_HORIZON = statement(
  'read-horizon',
  `WITH snapshot AS MATERIALIZED (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax)
  SELECT least(oldest.xid, snapshot.xmax)::text AS horizon, oldest.pid, oldest.xact_start, oldest.application_name,
    extract(epoch FROM clock_timestamp() - oldest.xact_start)::float8 AS age_seconds
  FROM snapshot LEFT JOIN LATERAL (
    -- backend_xid has 32 bits: widen it to the 64-bit id nearest the snapshot's xmax.
    SELECT a.pid, a.xact_start, a.application_name,
      snapshot.xmax - (((snapshot.xmax - a.backend_xid::text::bigint) % 4294967296 + 6442450944) % 4294967296 - 2147483648) AS xid
    FROM pg_locks AS l CROSS JOIN LATERAL pg_stat_get_activity(l.pid) AS a
    WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ${APPEND_LOCK_CLASS_ID} AND l.objid = 'events'::regclass AND l.objsubid = 1 AND a.backend_xid IS NOT NULL
    ORDER BY xid LIMIT 1
  ) AS oldest ON true`,
);

const READ_ALL = statement(
  'read-all',
  `SELECT ${COLUMNS} FROM events
  WHERE transaction_id < $1::xid8
    AND (transaction_id, global_position) > ($2::xid8, $3::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $4`,
);

const HAS_EVENT_AT = statement(
  'has-event-at',
  'SELECT EXISTS (SELECT 1 FROM events WHERE transaction_id = $1::xid8 AND global_position = $2::bigint) AS found',
);

/** transaction_id (xid8) is unsigned and global_position signed, both 64 bits: a larger number names no event. */
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_POSITION = 2n ** 63n - 1n;

interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_revision: string;
  event_type: string;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date;
  hash: string;
  previous_hash: string | null;
}

interface HorizonRow {
  horizon: string;
  /** The oldest append in flight, all null when there is none. */
  pid: number | null;
  xact_start: Date | null;
  application_name: string | null;
  age_seconds: number | null;
}

type AppendStateRow = { current_revision: string; current_hash: string | null } & (
  | EventRow
  | { [K in keyof EventRow]: null }
);

interface AppendState {
  currentRevision: StreamRevision;
  /** The hash of the stream's last event; null when the stream does not exist. */
  currentHash: string | null;
  /** Already stored events among those being appended, by lower-case id. */
  existing: Map<string, RecordedEvent>;
}

/**
 * The event store on PostgreSQL: one `events` table, optimistic concurrency through unique
 * constraints, and a global log ordered by (transaction id, position) so that catch-up readers
 * never skip an event committed late.
 */
export class PostgresEventStore extends EventStore {
  private readonly ownsPool: boolean;
  private closed = false;
  private readonly watches = new Set<AppendWatch>();

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    super();
    this.ownsPool = options.ownsPool ?? false;
  }

  /** Creates its own pool, applies pending migrations to `schema`, and ends the pool on close. */
  static async connect(options: PostgresEventStoreConnectOptions): Promise<PostgresEventStore> {
    const pool = createPgPool(options);
    try {
      if (options.migrate === false) {
        const pending = await pendingMigrations(pool, options.schema, 'event-store', eventStoreMigrations);
        if (pending.length > 0) throw new EventStoreNotReadyError(options.schema, pending);
      } else if (options.waitForServer) {
        await runMigrationsWhenAvailable(pool, options.schema, 'event-store', eventStoreMigrations);
      } else {
        await runMigrations(pool, options.schema, 'event-store', eventStoreMigrations);
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresEventStore(pool, { ownsPool: true });
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    assertDistinctIds(streamId, events);
    if (events.length === 0) return this.appendNothing(streamId, expected);

    // No explicit transaction: the multi-row INSERT is atomic on its own, and under READ COMMITTED a
    // transaction around lookup and insert would add two round trips and no guarantee. The unique
    // constraints settle every race.
    for (let attempt = 1; ; attempt++) {
      const { currentRevision, currentHash, existing } = await this.loadAppendState(streamId, events);
      const repeat = findIdempotentRepeat(streamId, events, (id) => existing.get(eventIdKey(id)), expected);
      if (repeat) return repeat;
      checkExpectedRevision(streamId, expected, currentRevision);
      const duplicate = events.find((e) => existing.has(eventIdKey(e.id)));
      if (duplicate) throw new DuplicateEventIdError(streamId, duplicate.id);
      // Only an unpinned expectation ('any', 'stream_exists') gets here again after a conflict.
      if (attempt > MAX_APPEND_ATTEMPTS) throw new WrongExpectedVersionError(streamId, expected, actualRevision(currentRevision));

      try {
        return await this.insert(streamId, events, currentRevision, currentHash);
      } catch (error) {
        // The row we collided with is committed by now, so the next lookup sees it and decides:
        // an idempotent repeat, a wrong expected revision, a duplicate id, or a retry.
        if (!isAppendConflict(error)) throw error;
        await pause(attempt, CONFLICT_BACKOFF);
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? MAX_BIGINT : 0);
    const { rows } = await this.pool.query<EventRow>(backwards ? READ_STREAM_BACKWARDS : READ_STREAM_FORWARDS, [
      streamId,
      String(from),
      options.maxCount ?? null,
    ]);
    return rows.map(toRecordedEvent);
  }

  /** One round trip for them all. */
  override async readStreamTails(tails: readonly StreamTail[]): Promise<RecordedEvent[][]> {
    if (tails.length === 0) return [];
    const { rows } = await this.pool.query<EventRow & { tail: string }>(READ_STREAM_TAILS, [
      tails.map((t) => t.streamId),
      tails.map((t) => String(t.afterRevision)),
    ]);
    const answer: RecordedEvent[][] = tails.map(() => []);
    for (const row of rows) answer[Number(row.tail) - 1].push(toRecordedEvent(row));
    return answer;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after && options.after.commit >= 0n ? options.after : { commit: 0n, prepare: 0n };
    // Two round trips, in this order: READ_ALL's snapshot must come after READ_HORIZON saw the lock holders.
    const { horizon } = await this.horizonRow();
    if (BigInt(horizon) <= after.commit) return [];
    const { rows } = await this.pool.query<EventRow>(READ_ALL, [
      horizon,
      after.commit.toString(),
      after.prepare.toString(),
      options.maxCount ?? DEFAULT_READ_ALL_COUNT,
    ]);
    return rows.map(toRecordedEvent);
  }

  /** How many events follow `after` (all of them without it): a count for progress bars, cheap on this store only. */
  async countAfter(after: GlobalPosition | null = null): Promise<number> {
    const { rows } = after
      ? await this.pool.query<{ count: string }>('SELECT count(*) FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)', [
          after.commit.toString(),
          after.prepare.toString(),
        ])
      : await this.pool.query<{ count: string }>('SELECT count(*) FROM events');
    return Number(rows[0].count);
  }

  async hasEventAt(position: GlobalPosition): Promise<boolean> {
    const { commit, prepare } = position;
    if (commit < 0n || prepare < 0n || commit > MAX_XID8 || prepare > MAX_POSITION) return false;
    const { rows } = await this.pool.query<{ found: boolean }>({ ...HAS_EVENT_AT, values: [commit.toString(), prepare.toString()] });
    return rows[0].found;
  }

  async headPosition(): Promise<GlobalPosition | null> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id::text, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    return rows.length === 0 ? null : { commit: BigInt(rows[0].transaction_id), prepare: BigInt(rows[0].global_position) };
  }

  /** LISTEN/NOTIFY on a connection of its own (see append-notifications.ts); closed with the store. */
  override watchAppends(listener: AppendListener): AppendWatch {
    const watch = watchPostgresAppends(this.pool, listener);
    this.watches.add(watch);
    return { mayLag: watch.mayLag, close: () => (this.watches.delete(watch), watch.close()) };
  }

  override async readHorizon(): Promise<ReadHorizon> {
    const row = await this.horizonRow();
    return {
      ageSeconds: Math.max(0, row.age_seconds ?? 0),
      heldBy: row.pid === null ? null : { pid: row.pid, transactionStart: row.xact_start, applicationName: row.application_name },
    };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await Promise.all([...this.watches].map((watch) => watch.close()));
    this.watches.clear();
    if (!this.ownsPool || this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const currentRevision = last?.revision ?? -1;
    checkExpectedRevision(streamId, expected, currentRevision);
    return { nextExpectedRevision: currentRevision, position: last?.position ?? START };
  }

  private async horizonRow(): Promise<HorizonRow> {
    const { rows } = await this.pool.query<HorizonRow>(READ_HORIZON);
    return rows[0];
  }

  private async loadAppendState(streamId: string, events: readonly NewEvent[]): Promise<AppendState> {
    const { rows } = await this.pool.query<AppendStateRow>(LOAD_APPEND_STATE, [streamId, events.map((e) => e.id)]);
    const existing = new Map<string, RecordedEvent>();
    for (const row of rows) {
      if (row.event_id !== null) existing.set(row.event_id, toRecordedEvent(row));
    }
    return { currentRevision: Number(rows[0].current_revision), currentHash: rows[0].current_hash, existing };
  }

  private async insert(
    streamId: string,
    events: readonly NewEvent[],
    currentRevision: StreamRevision,
    currentHash: string | null,
  ): Promise<AppendResult> {
    // The chain needs no lock: these hashes are only valid at currentRevision + 1, and an append that
    // got there first makes this INSERT collide on (stream, revision), so it is retried on fresh state.
    const links = chainHashes(streamId, currentRevision + 1, currentHash, events);
    const { rows } = await this.pool.query<Pick<EventRow, 'transaction_id' | 'global_position' | 'stream_revision'>>(
      INSERT_EVENTS,
      [
        streamId,
        String(currentRevision),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
        links.map((l) => l.hash),
        links.map((l) => l.previousHash),
      ],
    );
    const [last] = rows;
    return { nextExpectedRevision: Number(last.stream_revision), position: toPosition(last) };
  }
}

function assertDistinctIds(streamId: string, events: readonly NewEvent[]): void {
  const seen = new Set<string>();
  for (const event of events) {
    const key = eventIdKey(event.id);
    if (seen.has(key)) throw new DuplicateEventIdError(streamId, event.id);
    seen.add(key);
  }
}

function isAppendConflict(error: unknown): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === '23505' &&
    (error.constraint === STREAM_REVISION_CONSTRAINT || error.constraint === EVENT_ID_CONSTRAINT)
  );
}

function toPosition(row: Pick<EventRow, 'transaction_id' | 'global_position'>): GlobalPosition {
  return { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    position: toPosition(row),
    recordedAt: row.recorded_at,
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}
