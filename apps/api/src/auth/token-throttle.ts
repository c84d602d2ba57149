import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { RouteConfig } from '@nestjs/platform-fastify';
import { AppConfig, secretDerivations } from '@mfh/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../http/metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by {@link TokenThrottled}: the route gets the token endpoint's rate limits. */
    tokenThrottle?: boolean;
  }
}

/** The route is limited per remote address (before the body is read) and per client_id (after). */
export const TokenThrottled = () => RouteConfig({ tokenThrottle: true });

export const tokenRequestsRefused = new Counter({
  name: 'oauth_token_requests_refused_total',
  help: 'Token requests refused before their secret was checked: rate limits (429) or hashing queue full (503)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const secretHashDerivations = new Counter({
  name: 'secret_hash_derivations_total',
  help: 'scrypt derivations of client secrets: one per token request that reaches hashing, known client or not',
  registers: [metricsRegistry],
  collect() {
    this.reset();
    this.inc(secretDerivations());
  },
});

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Registers @fastify/rate-limit with its counters in Redis (shared by every api process, under
 * QUEUE_PREFIX) and limits the routes marked {@link TokenThrottled}. Call before the routes exist.
 * A Redis that is down lets requests through (`skipOnError`): the hashing gate still bounds the CPU.
 */
export async function installTokenThrottle(fastify: FastifyInstance, config: AppConfig): Promise<void> {
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
  });
  let reachable = true;
  redis.on('ready', () => (reachable = true));
  redis.on('error', (error: Error) => {
    if (reachable) fastify.log.warn({ err: error }, 'token rate limits are off until Redis answers again');
    reachable = false;
  });
  // Awaited so the limits hold from the first request; a Redis that is down costs at most connectTimeout.
  await redis.connect().catch(() => undefined);
  fastify.addHook('onClose', async () => redis.disconnect());

  await fastify.register(rateLimit, {
    global: false,
    redis,
    // Keys read `<prefix>:oauth2-token-limit:undefinedundefined-<key>`: a createRateLimit() store has no route to name.
    nameSpace: `${config.QUEUE_PREFIX}:oauth2-token-limit:`,
    skipOnError: true,
    timeWindow: config.TOKEN_RATE_LIMIT_WINDOW_MS,
  });
  // createRateLimit() rather than route config: the plugin's own 429 is thrown, and would reach Nest's
  // filter as a problem document, while the token endpoint answers in OAuth's format.
  const perAddress = fastify.createRateLimit({
    max: config.TOKEN_RATE_LIMIT_PER_ADDRESS,
    keyGenerator: (request) => `address:${normalizeIP(request.ip)}`,
  });
  const perClient = fastify.createRateLimit({
    max: config.TOKEN_RATE_LIMIT_PER_CLIENT,
    // Hashed: client_id is whatever the caller sent, up to the body limit.
    keyGenerator: (request) => `client:${createHash('sha256').update(clientIdOf(request) ?? '').digest('base64url')}`,
  });

  fastify.addHook('onRoute', (route) => {
    if (!route.config?.tokenThrottle) return;
    route.onRequest = [...hooks(route.onRequest), (request, reply) => enforce(perAddress, 'address', request, reply)];
    // The client_id is in the body, so this one waits for the body parser.
    route.preHandler = [
      ...hooks(route.preHandler),
      (request, reply) => (clientIdOf(request) === undefined ? Promise.resolve() : enforce(perClient, 'client', request, reply)),
    ];
  });
}

function hooks<T>(existing: T | T[] | undefined): T[] {
  return existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
}

function clientIdOf(request: FastifyRequest): string | undefined {
  const body = request.body;
  const clientId = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).client_id : undefined;
  return typeof clientId === 'string' ? clientId : undefined;
}

async function enforce(limiter: Limiter, scope: 'address' | 'client', request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const limit = await limiter(request);
  if (limit.isAllowed || !limit.isExceeded) return;
  tokenRequestsRefused.inc({ reason: `${scope}-limit` });
  const retryAfter = Math.max(1, limit.ttlInSeconds);
  // RFC 6749 has no code for this; slow_down is the registered token-endpoint code closest to it (RFC 8628 §3.5).
  return reply
    .status(429)
    .header('Retry-After', String(retryAfter))
    .header('Cache-Control', 'no-store')
    .send({
      error: 'slow_down',
      error_description: `Too many token requests ${scope === 'address' ? 'from this address' : 'for this client'}; retry after ${retryAfter} s.`,
    });
}
