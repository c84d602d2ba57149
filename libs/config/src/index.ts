export * from './app-config';
export * from './catalog';
export * from './iso-duration';
export * from './secret-hash';
export * from './config.module';
export * from './logger';
