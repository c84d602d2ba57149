import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { EventStore } from '@mfh/event-store';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/auth.decorators';
import { within } from '../health/health.controller';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

const horizonAge = new Gauge({
  name: 'mfh_event_store_horizon_age_seconds',
  help: 'How long the oldest append still in flight has held the global read back (PostgreSQL event store; 0 when none is and on EventStoreDB, NaN when the store does not answer)',
  registers: [metricsRegistry],
});

/** Times every request under its route pattern (never the raw URL, which would explode the label set). */
export function installHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly store: EventStore) {}

  @Public()
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async metrics(): Promise<string> {
    // Set from this app's store on each scrape: the registry is shared by every app in the process.
    const horizon = await within(this.store.readHorizon()).catch(() => undefined);
    horizonAge.set(horizon === undefined ? Number.NaN : (horizon?.ageSeconds ?? 0));
    return metricsRegistry.metrics();
  }
}
