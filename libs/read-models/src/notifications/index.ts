export * from './notifications.migrations';
export * from './notifications.repository';
export * from './notifications-store.module';
