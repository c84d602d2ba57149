export * from './esdb-stand-in';
