import { EventStore } from './event-store.port';
import { Logger } from '@nestjs/common';
import { EventStoreDBEventStore, SetAsideEvent } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

export interface EventStoreSettings {
  /** `esdb://…` (or `esdb+discover://…`) selects EventStoreDB, `postgres://…` PostgreSQL. */
  url: string;
  /** PostgreSQL schema for the events table. */
  schema: string;
  poolSize?: number;
  /** PostgreSQL: how the store's sessions are named (`application_name`). */
  applicationName?: string;
  /** PostgreSQL: false opens an existing, migrated store without changing anything. Default true. */
  migrate?: boolean;
  /** PostgreSQL: wait (with backoff) for a server that cannot be reached yet instead of failing. Default false. */
  waitForServer?: boolean;
}

/** What another client wrote to EventStoreDB is left out of the global read: said once, so that an operator can look. */
function logSetAside(logger: Logger): (event: SetAsideEvent) => void {
  return ({ id, streamId, type, position, reason }) =>
    logger.warn(`Event ${id} (${type}) of ${streamId} at ${position.commit}/${position.prepare} is set aside, no consumer gets it: ${reason}`);
}

export async function createEventStore(settings: EventStoreSettings): Promise<EventStore> {
  if (/^esdb(\+discover)?:\/\//.test(settings.url)) return EventStoreDBEventStore.connect(settings.url, { onSetAside: logSetAside(new Logger('EventStore')) });
  if (/^postgres(ql)?:\/\//.test(settings.url)) {
    const { poolSize, ...options } = settings;
    return PostgresEventStore.connect({ ...options, max: poolSize });
  }
  throw new Error(`EVENT_STORE_URL must start with esdb:// or postgres://, got ${settings.url.replace(/\/\/.*@/, '//…@')}`);
}
