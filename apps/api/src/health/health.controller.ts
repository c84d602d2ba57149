import { Controller, Get, Inject, OnApplicationShutdown, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { EventStore } from '@mfh/event-store';
import { READ_MODELS_POOL } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { Public } from '../auth/auth.decorators';

export const HEALTH_REDIS = Symbol('HEALTH_REDIS');
const TIMEOUT_MS = 2_000;

export function within<T>(promise: Promise<T>, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('operations')
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: EventStore,
    @Inject(READ_MODELS_POOL) private readonly pool: Pool,
    @Inject(HEALTH_REDIS) private readonly redis: Redis,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({
    summary: 'Reachability of the event store, PostgreSQL and Redis (503 when any is down); on PostgreSQL, what holds the global read back',
  })
  @ApiOkResponse({ description: '{"status": "ok", "info": {...}, "error": {}, "details": {...}}' })
  @ApiServiceUnavailableResponse({ description: 'The same shape, with "status": "error" and what is down under "error"' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.probe('eventStore', () => this.store.ping(), () => this.store.readHorizon().then((horizon) => horizon && { horizon })),
        () => this.probe('postgres', () => this.pool.query('SELECT 1')),
        () => this.probe('redis', () => this.redis.ping()),
      ]);
    } catch (error) {
      // Terminus reports "down" as an exception carrying the standard health body; keep that body.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  private async probe<const Key extends string>(key: Key, call: () => Promise<unknown>, details?: () => Promise<Record<string, unknown> | null>) {
    const indicator = this.indicators.check(key);
    try {
      await within(call());
      return indicator.up((details && (await within(details()))) ?? undefined);
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
