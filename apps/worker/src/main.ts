import 'reflect-metadata';
import { loadConfig } from '@mfh/config';
import { createWorkerApp } from './worker.app';

createWorkerApp(loadConfig()).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
