import type { Migration } from './migrations';

/** Constraint names the adapter recognises in unique violations; migrations must keep them. */
export const STREAM_REVISION_CONSTRAINT = 'events_stream_revision_key';
export const EVENT_ID_CONSTRAINT = 'events_event_id_key';

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
];
