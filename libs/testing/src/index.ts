export * from './postgres';
export * from './decider-specification';
export * from './esdb-stand-in';
export * from './orders';
export * from './ports';
export * from './use-cases';
export * from './read-models-fixture';
export * from './partner-scenario';
