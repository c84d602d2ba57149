export * from './keyed-mutex';
export * from './command-executor';
export * from './orders/complete-order';
export * from './application.module';
export * from './queues';
export * from './lifecycle-logger';
export * from './bounded-cache';
export * from './core-modules';
