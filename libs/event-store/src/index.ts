export * from './event-store.port';
export * from './event-store.errors';
export * from './global-position';
export * from './append-rules';
export * from './in-memory/in-memory-event-store';
export * from './postgres/pg-pool';
export * from './postgres/migrations';
