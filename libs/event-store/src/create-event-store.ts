import { EventStore } from './event-store.port';
import { EventStoreDBEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

export interface EventStoreSettings {
  /** `esdb://…` (or `esdb+discover://…`) selects EventStoreDB, `postgres://…` PostgreSQL. */
  url: string;
  /** PostgreSQL schema for the events table. */
  schema: string;
  poolSize?: number;
  /** PostgreSQL: false opens an existing, migrated store without changing anything. Default true. */
  migrate?: boolean;
}

export async function createEventStore(settings: EventStoreSettings): Promise<EventStore> {
  if (/^esdb(\+discover)?:\/\//.test(settings.url)) return EventStoreDBEventStore.connect(settings.url);
  if (/^postgres(ql)?:\/\//.test(settings.url)) {
    return PostgresEventStore.connect({ url: settings.url, schema: settings.schema, max: settings.poolSize, migrate: settings.migrate });
  }
  throw new Error(`EVENT_STORE_URL must start with esdb:// or postgres://, got ${settings.url.replace(/\/\/.*@/, '//…@')}`);
}
