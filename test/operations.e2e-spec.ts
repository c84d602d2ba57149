import { createTestSchema, TestSchema } from '@mfh/testing';
import { randomBytes } from 'node:crypto';
import { ApiClient } from './support/api-client';
import { purchase } from './support/fixtures';
import { spawnApp } from './support/processes';
import { startSystem, TestSystem } from './support/system';

const PARTNER_PATHS = [
  '/v1/offers',
  '/v1/customers',
  '/v1/customers/{customerId}',
  '/v1/customers/{customerId}/orders',
  '/v1/customers/{customerId}/orders/{orderId}',
  '/v1/customers/{customerId}/orders/{orderId}/lineitems/{lineItemNumber}/activationlinks',
  '/v1/customers/{customerId}/subscriptions',
  '/v1/customers/{customerId}/subscriptions/{subscriptionId}',
  '/v1/customers/{customerId}/subscriptions/{subscriptionId}/operations/{operationId}',
];

describe('Operations', () => {
  let system: TestSystem;
  let anonymous: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    anonymous = new ApiClient(system.baseUrl);
  });

  afterAll(() => system.close());

  describe('/health', () => {
    it('reports the event store, PostgreSQL and Redis, without a token', async () => {
      const { status, body } = await anonymous.get('/health');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'ok',
        details: { eventStore: { status: 'up' }, postgres: { status: 'up' }, redis: { status: 'up' } },
      });
    });

    it('answers 503 naming what is down', async () => {
      const broken = await startSystem({ worker: false, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const { status, body } = await new ApiClient(broken.baseUrl).get('/health');
        expect(status).toBe(503);
        expect(body.status).toBe('error');
        expect(body.error.redis.status).toBe('down');
        expect(body.info).toMatchObject({ eventStore: { status: 'up' }, postgres: { status: 'up' } });
      } finally {
        await broken.close();
      }
    });

    it('names the append in flight that holds the global read back, and /metrics gives its age', async () => {
      const horizonAge = async (): Promise<number> =>
        Number(/^mfh_event_store_horizon_age_seconds (\S+)$/m.exec((await anonymous.get('/metrics')).text)?.[1]);
      expect((await anonymous.get('/health')).body.details.eventStore.horizon).toEqual({ ageSeconds: 0, heldBy: null });
      expect(await horizonAge()).toBe(0);

      const append = await system.db.connect();
      try {
        await append.query('BEGIN');
        const { rows } = await append.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await append.query(
          "INSERT INTO events (event_id, stream_id, stream_revision, event_type, data, metadata, hash) VALUES (gen_random_uuid(), $1, 0, 'Held', '{}', '{}', 'x')",
          [`held-${randomBytes(4).toString('hex')}`],
        );

        const { body } = await anonymous.get('/health');
        expect(body.status).toBe('ok');
        expect(body.details.eventStore.horizon).toEqual({
          ageSeconds: expect.any(Number),
          heldBy: { pid: rows[0].pid, transactionStart: expect.any(String), applicationName: expect.any(String) },
        });
        expect(body.details.eventStore.horizon.ageSeconds).toBeGreaterThan(0);
        expect(await horizonAge()).toBeGreaterThan(0);
      } finally {
        await append.query('ROLLBACK');
        append.release();
      }
    });
  });

  describe('/docs', () => {
    it('serves the interactive documentation', async () => {
      const response = await anonymous.get('/docs');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    });

    it('describes every endpoint with a summary, its responses and bearer security', async () => {
      const { status, body: document } = await anonymous.get('/docs/json');
      expect(status).toBe(200);
      for (const path of [...PARTNER_PATHS, '/oauth2/token', '/.well-known/jwks.json', '/health', '/metrics']) {
        expect(Object.keys(document.paths)).toContain(path);
      }
      for (const [path, operations] of Object.entries<Record<string, { summary?: string; responses?: object; security?: unknown[] }>>(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          expect({ path, method, summary: typeof operation.summary }).toEqual({ path, method, summary: 'string' });
          expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
          if (path.startsWith('/v1/')) expect(operation.security).toEqual([{ bearer: [] }]);
        }
      }
    });

    it('describes every DTO with its properties', async () => {
      const { body: document } = await anonymous.get('/docs/json');
      const schemas = document.components.schemas as Record<string, { properties?: object }>;
      for (const name of ['SubscriptionResponse', 'UpdateSubscriptionRequest', 'PlaceOrderRequest', 'OrderResponse', 'CustomerResponse', 'ProblemDto', 'TokenRequest']) {
        expect(Object.keys(schemas[name]?.properties ?? {}).length).toBeGreaterThan(0);
      }
      for (const [name, schema] of Object.entries(schemas)) {
        expect({ name, described: Object.keys(schema.properties ?? {}).length > 0 }).toEqual({ name, described: true });
      }
      expect(Object.keys(schemas.SubscriptionResponse.properties!).sort()).toEqual(
        expect.arrayContaining(['activationLink', 'attentionNeeded', 'actionNeeded', 'cancellationAllowedUntilDate', 'pendingOperations']),
      );
    });
  });

  it('exposes Prometheus metrics, including request durations by route', async () => {
    const contoso = await system.client('contoso');
    await contoso.get('/v1/offers');
    const response = await anonymous.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toContain('process_cpu_user_seconds_total');
    expect(response.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/offers",status="200"\} \d+/);
  });

  describe('as separate processes', () => {
    let schema: TestSchema;
    let env: Record<string, string>;

    beforeAll(async () => {
      schema = await createTestSchema('proc');
      env = {
        DATABASE_URL: schema.url,
        DATABASE_SCHEMA: schema.schema,
        QUEUE_PREFIX: `proc-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'info',
      };
    });

    afterAll(() => schema.drop());

    it('the api logs JSON lines carrying the request id, and shuts down gracefully on SIGTERM', async () => {
      const api = spawnApp('api', { ...env, PORT: '0' });
      try {
        await api.waitForLog((line) => line.msg === 'started');
        const listening = await api.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('Server listening'));
        const port = /:(\d+)$/.exec(String(listening.msg))![1];
        const client = await ApiClient.login(`http://127.0.0.1:${port}`, 'contoso-partner', 'contoso-secret');
        const bought = await purchase(client);
        const response = await client.get(bought.path, { headers: { 'x-request-id': 'log-check-42' } });
        expect(response.status).toBe(200);
        const completed = await api.waitForLog((line) => line.requestId === 'log-check-42' && line.msg === 'request completed');
        expect(completed).toMatchObject({ level: 30, service: 'api', method: 'GET', url: bought.path, res: { statusCode: 200 } });
        expect(typeof completed.time).toBe('string');
        expect(typeof completed.responseTime).toBe('number');
        // One line per request: the completion, not Fastify's "incoming request" before it.
        expect(api.logs.filter((line) => line.requestId === 'log-check-42')).toEqual([completed]);
      } finally {
        api.kill('SIGTERM');
      }
      const exit = await api.exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(api.logs.some((line) => String(line.msg).startsWith('shutting down on SIGTERM'))).toBe(true);
    });

    it('the worker starts, and shuts down gracefully on SIGTERM', async () => {
      const worker = spawnApp('worker', env);
      await worker.waitForLog((line) => line.msg === 'started');
      worker.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(worker.logs.some((line) => String(line.msg).startsWith('shutting down on SIGTERM'))).toBe(true);
    });
  });
});
