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
      useFactory: async (config: AppConfig) => {
        const redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
        // Not fatal: a Redis that is down at start shows in /health, and ioredis keeps reconnecting.
        await redis.connect().catch(() => undefined);
        return redis;
      },
      inject: [AppConfig],
    },
  ],
})
export class HealthModule {}
