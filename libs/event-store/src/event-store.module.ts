import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { createEventStore, EventStoreSettings } from './create-event-store';
import { EventStore } from './event-store.port';

class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the EventStore chosen by its URL, closed when the application shuts down. */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(settings: EventStoreSettings | { store: EventStore }): DynamicModule {
    const provider =
      'store' in settings
        ? { provide: EventStore, useValue: settings.store }
        : { provide: EventStore, useFactory: () => createEventStore(settings) };
    return {
      module: EventStoreModule,
      providers: [provider, EventStoreLifecycle],
      exports: [EventStore],
    };
  }
}
