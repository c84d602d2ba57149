import 'reflect-metadata';
import { LifecycleLogger } from '@mfh/application';
import { loadConfig } from '@mfh/config';
import { createApiApp } from './api.app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  app.get(LifecycleLogger).started();
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
