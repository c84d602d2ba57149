import { eventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';

eventStoreContract('in-memory', async () => ({ store: new InMemoryEventStore() }));
