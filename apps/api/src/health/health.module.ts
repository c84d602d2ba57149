import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '@mfh/config';
import Redis from 'ioredis';
import { HEALTH_REDIS, HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [
    {
      provide: HEALTH_REDIS,
      // Fails fast instead of queueing commands while Redis is away, so /health answers promptly.
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
        // Never awaited: a Redis that is down or silent at start shows in /health instead of holding the api back.
        redis.on('error', () => undefined);
        void redis.connect().catch(() => undefined);
        return redis;
      },
      inject: [AppConfig],
    },
  ],
})
export class HealthModule {}
