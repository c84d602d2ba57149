import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { LifecycleLogger } from '@mfh/application';
import { AppConfig, createLogger, PinoNestLogger } from '@mfh/config';
import { WorkerModule, WorkerOverrides } from './worker.module';

/** The worker: projections, reactors and queue processors, started and running. */
export async function createWorkerApp(config: AppConfig, overrides: WorkerOverrides = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, overrides), {
    logger: new PinoNestLogger(createLogger(config, 'worker')),
  });
  app.enableShutdownHooks();
  await app.init();
  app.get(LifecycleLogger).started();
  return app;
}
