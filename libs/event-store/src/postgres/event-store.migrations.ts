import type { PoolClient } from 'pg';
import { chainHashes } from '../event-hash';
import type { JsonObject } from '../event-store.port';
import { APPENDS_CHANNEL_SQL } from './append-notifications';
import type { Migration } from './migrations';

/** Constraint names the adapter recognises in unique violations; migrations must keep them. */
export const STREAM_REVISION_CONSTRAINT = 'events_stream_revision_key';
export const EVENT_ID_CONSTRAINT = 'events_event_id_key';

/**
 * Every append holds a shared advisory lock keyed (this class id, the oid of its schema's events
 * table) from before its transaction has an id until it ends: readAll's horizon is made of its holders.
 */
export const APPEND_LOCK_CLASS_ID = 0x6d666800;
/** The first statement of a transaction that writes anything before it inserts into events. */
export const TAKE_APPEND_LOCK = `SELECT pg_advisory_xact_lock_shared((${APPEND_LOCK_CLASS_ID}::bigint << 32) | 'events'::regclass::oid::bigint)`;

/** The event store's schema, applied with `runMigrations(pool, schema, 'event-store', eventStoreMigrations)`. */
export const eventStoreMigrations: Migration[] = [
  {
    id: '0001-create-events',
    sql: `
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_revision bigint NOT NULL,
        event_type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ${EVENT_ID_CONSTRAINT} UNIQUE (event_id),
        CONSTRAINT ${STREAM_REVISION_CONSTRAINT} UNIQUE (stream_id, stream_revision)
      );
      -- readAll orders and pages by (transaction_id, global_position).
      CREATE INDEX events_transaction_position_idx ON events (transaction_id, global_position);
    `,
  },
  {
    // Events written before this migration get their chain computed here, as appends compute it.
    id: '0002-hash-chain',
    sql: `ALTER TABLE events ADD COLUMN hash text, ADD COLUMN previous_hash text;`,
    run: async (client) => {
      await backfillHashChain(client);
      await client.query('ALTER TABLE events ALTER COLUMN hash SET NOT NULL');
    },
  },
  {
    // Wakes LISTENing readers (append-notifications.ts) once per insert statement, at its commit; an
    // insert that writes nothing (an idempotent re-append) notifies too, which only costs a read.
    id: '0003-notify-appends',
    sql: `
      CREATE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(${APPENDS_CHANNEL_SQL}, '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER events_appended AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
    `,
  },
  {
    // A statement trigger fires before the INSERT computes its first row, so an autocommit append
    // (ours, or an older version's during a rolling deploy) takes the lock before it has an id. A
    // transaction that already has one and no lock would come too late (see READ_HORIZON): refused.
    id: '0004-append-lock',
    sql: `
      CREATE FUNCTION take_append_lock() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'
            AND classid = ${APPEND_LOCK_CLASS_ID} AND objid = TG_RELID AND objsubid = 1
        ) THEN
          RAISE EXCEPTION 'this transaction wrote before it inserted into %.events without the append lock', TG_TABLE_SCHEMA
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Begin the transaction with: ${TAKE_APPEND_LOCK.replace(/'/g, "''")}';
        END IF;
        PERFORM pg_advisory_xact_lock_shared((${APPEND_LOCK_CLASS_ID}::bigint << 32) | TG_RELID::bigint);
        RETURN NULL;
      END $$;
      CREATE TRIGGER events_take_append_lock BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION take_append_lock();
    `,
  },
];

const BACKFILL_PAGE = 1000;

interface BackfillRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_revision: string;
  event_type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/** Chains every stream's events in revision order, one page of events in memory at a time. */
async function backfillHashChain(client: PoolClient): Promise<void> {
  // Keyset paging over the (stream_id, stream_revision) unique index; the chain carries across pages.
  // ('', -1) sorts before every stored key.
  let after: { streamId: string; revision: string; hash: string | null } = { streamId: '', revision: '-1', hash: null };
  for (;;) {
    const { rows } = await client.query<BackfillRow>(
      `SELECT global_position, event_id, stream_id, stream_revision, event_type, data, metadata FROM events
      WHERE (stream_id, stream_revision) > ($1::text, $2::bigint)
      ORDER BY stream_id, stream_revision LIMIT $3`,
      [after.streamId, after.revision, BACKFILL_PAGE],
    );
    if (rows.length === 0) return;

    const positions: string[] = [];
    const hashes: string[] = [];
    const previousHashes: (string | null)[] = [];
    for (let start = 0; start < rows.length; ) {
      const streamId = rows[start].stream_id;
      let end = start;
      while (end < rows.length && rows[end].stream_id === streamId) end++;
      const run = rows.slice(start, end);
      const previous = after.streamId === streamId ? after.hash : null;
      const links = chainHashes(
        streamId,
        Number(run[0].stream_revision),
        previous,
        run.map((row) => ({ id: row.event_id, type: row.event_type, data: row.data, metadata: row.metadata })),
      );
      run.forEach((row, i) => {
        positions.push(row.global_position);
        hashes.push(links[i].hash);
        previousHashes.push(links[i].previousHash);
      });
      after = { streamId, revision: run[run.length - 1].stream_revision, hash: links[links.length - 1].hash };
      start = end;
    }
    await client.query(
      `UPDATE events SET hash = u.hash, previous_hash = u.previous_hash
      FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(global_position, hash, previous_hash)
      WHERE events.global_position = u.global_position`,
      [positions, hashes, previousHashes],
    );
    if (rows.length < BACKFILL_PAGE) return;
  }
}
