import type { DynamicModule, Type } from '@nestjs/common';
import { AppConfig, Catalog, ConfigModule } from '@mfh/config';
import { EventStore, EventStoreModule } from '@mfh/event-store';
import { ReadModelsModule } from '@mfh/read-models';
import { ApplicationModule } from './application.module';
import type { Clock } from './clock';

export interface CoreOverrides {
  catalog?: Catalog;
  /** Tests may hand in a store; normally EVENT_STORE_URL picks and opens one. */
  eventStore?: EventStore;
  /** The clock commands are decided at; tests move it to cross windows and term ends. */
  clock?: Clock;
}

/**
 * What every process stands on: settings and catalog, the event store, the read-model database,
 * and the command and query buses with every use case. The queues come from @mfh/messaging.
 */
export function coreModules(config: AppConfig, process: 'api' | 'worker', overrides: CoreOverrides = {}): (DynamicModule | Type)[] {
  return [
    ConfigModule.forRoot(config, overrides.catalog),
    EventStoreModule.forRoot(
      overrides.eventStore
        ? { store: overrides.eventStore }
        : {
            url: config.eventStoreUrl,
            schema: config.DATABASE_SCHEMA,
            poolSize: config.DATABASE_POOL_SIZE,
            applicationName: `mfh-${process}-events`,
            // A process that starts before its database waits for it instead of exiting.
            waitForServer: true,
          },
    ),
    ReadModelsModule.forRoot({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolSize: config.DATABASE_POOL_SIZE,
      applicationName: `mfh-${process}`,
    }),
    ApplicationModule.forRoot(overrides.clock),
  ];
}
