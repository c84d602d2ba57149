export * from './keyed-mutex';
export * from './command-executor';
export * from './orders/complete-order';
export * from './application.module';
export * from './lifecycle-logger';
export * from './core-modules';
export * from './clock';
