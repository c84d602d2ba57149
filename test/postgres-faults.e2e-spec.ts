import { QUEUES } from '@mfh/messaging';
import { createPgPool, formatPosition } from '@mfh/event-store';
import { createTestSchema, eventually, freePort, TestSchema } from '@mfh/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { ApiClient } from './support/api-client';
import { PrivatePostgres } from './support/private-postgres';
import { RunningProcess, spawnApp } from './support/processes';
import { appliedOnce, SteadyTraffic } from './support/steady-traffic';
import { deleteQueueKeys } from './support/system';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The api and the worker as real processes (an unhandled 'error' event would end them), on one schema. */
class ProcessPair {
  readonly queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  readonly baseUrl: string;
  api!: RunningProcess;
  worker!: RunningProcess;

  constructor(
    readonly databaseUrl: string,
    readonly schema: string,
    private readonly port: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  spawn(): void {
    const env = {
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: this.schema,
      REDIS_URL,
      QUEUE_PREFIX: this.queuePrefix,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '4',
      ORDER_COMPLETION_DELAY_MS: '1000',
    };
    this.api = spawnApp('api', { ...env, PORT: String(this.port) });
    this.worker = spawnApp('worker', env);
  }

  async started(timeoutMs = 60_000): Promise<void> {
    await Promise.all([this.api, this.worker].map((p) => p.waitForLog((line) => line.msg === 'started', timeoutMs)));
  }

  alive(): { api: boolean; worker: boolean } {
    const running = (p: RunningProcess) => p.child.exitCode === null && p.child.signalCode === null;
    return { api: running(this.api), worker: running(this.worker) };
  }

  /** Log lines at warn or above that name the store being away: proof that the fault was felt. */
  outageLines(process: RunningProcess): number {
    return process.logs.filter((line) => Number(line.level) >= 40 && /unavailable|terminat|ECONNREFUSED|connect/i.test(String(line.msg))).length;
  }

  async stop(): Promise<void> {
    for (const p of [this.api, this.worker].filter(Boolean)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGTERM');
      await p.exited;
    }
    await deleteQueueKeys(REDIS_URL, this.queuePrefix);
  }
}

/** Every projection checkpoint at the head of the log, and no callback job left to run. */
async function settled(db: Pool, pair: ProcessPair): Promise<{ checkpointsAtHead: boolean; callbacks: Record<string, number> }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.callbacks, { connection, prefix: pair.queuePrefix });
  try {
    return await eventually(
      async () => {
        const { rows: head } = await db.query<{ tx: string; pos: string }>(
          'SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
        );
        const at = formatPosition({ commit: BigInt(head[0].tx), prepare: BigInt(head[0].pos) });
        const { rows: checkpoints } = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints');
        const callbacks = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
        return { checkpointsAtHead: checkpoints.length > 0 && checkpoints.every((c) => c.position === at), callbacks };
      },
      (state) => state.checkpointsAtHead && state.callbacks.waiting + state.callbacks.active + state.callbacks.delayed === 0,
      60_000,
    );
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** What every acknowledged request left behind, read back through the partner API's lists. */
async function listedSubscriptions(partner: ApiClient, traffic: SteadyTraffic): Promise<{ missing: string[]; unlicensed: string[] }> {
  const missing: string[] = [];
  const unlicensed: string[] = [];
  const licensed = new Set(traffic.acknowledged.licensed);
  for (const order of traffic.acknowledged.orders) {
    const response = await partner.get(`/v1/customers/${order.customerId}/subscriptions`);
    const listed = new Map<string, { licensesAssigned: boolean }>(response.body.items.map((s: { id: string; licensesAssigned: boolean }) => [s.id, s]));
    for (const id of order.subscriptionIds) {
      if (!listed.has(id)) missing.push(id);
      else if (licensed.has(id) && !listed.get(id)!.licensesAssigned) unlicensed.push(id);
    }
  }
  return { missing, unlicensed };
}

/** Every 5xx was the documented one, the system settled, and each acknowledged request took effect once, lists included. */
async function expectAppliedExactlyOnce(db: Pool, pair: ProcessPair, partner: ApiClient, traffic: SteadyTraffic): Promise<void> {
  expect(traffic.stats.unexpected).toEqual([]);
  const { checkpointsAtHead, callbacks } = await settled(db, pair);
  expect(checkpointsAtHead).toBe(true);
  expect(callbacks.failed).toBe(0);
  expect((await appliedOnce(db, traffic.acknowledged)).wrong).toEqual([]);
  expect(await listedSubscriptions(partner, traffic)).toEqual({ missing: [], unlicensed: [] });
}

describe('PostgreSQL faults: every backend of the schema terminated mid-traffic (pg_terminate_backend)', () => {
  let schema: TestSchema;
  let pair: ProcessPair;
  let db: Pool;

  beforeAll(async () => {
    schema = await createTestSchema('faults');
    pair = new ProcessPair(schema.url, schema.schema, await freePort());
    pair.spawn();
    await pair.started();
    db = createPgPool({ url: schema.url, schema: schema.schema, max: 2, applicationName: 'mfh-test-assertions' });
  }, 90_000);

  afterAll(async () => {
    await pair?.stop();
    await db?.end();
    await schema?.drop();
  });

  it('keeps both processes up and applies every acknowledged request exactly once', async () => {
    const partner = await ApiClient.login(pair.baseUrl, 'contoso-partner', 'contoso-secret');
    const traffic = new SteadyTraffic(partner, pair.baseUrl);
    const running = traffic.run(40, 6);

    // Only this system's sessions (their application_name ends with the schema), never the other tests'.
    let terminated = 0;
    const pattern = `^mfh-(api|worker)(-events)? ${schema.schema}$`;
    for (let round = 0; round < 8; round++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const { rows } = await db.query<{ ok: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name ~ $1 AND pid <> pg_backend_pid()',
        [pattern],
      );
      terminated += rows.filter((row) => row.ok).length;
    }
    await running;

    expect(terminated).toBeGreaterThan(0);
    expect(pair.alive()).toEqual({ api: true, worker: true });
    await expectAppliedExactlyOnce(db, pair, partner, traffic);
    expect(pair.alive()).toEqual({ api: true, worker: true });
  }, 180_000);
});

describe('PostgreSQL faults: a private cluster, down at boot and crashed under load', () => {
  let cluster: PrivatePostgres;
  let pair: ProcessPair;
  let db: Pool;

  beforeAll(async () => {
    cluster = await PrivatePostgres.create();
    pair = new ProcessPair(cluster.url, 'public', await freePort());
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
    await db?.end();
    await cluster?.destroy();
  });

  it('starts before PostgreSQL does: both processes wait, log, and come up once it answers', async () => {
    pair.spawn();
    // Both try, fail and say so, and neither exits.
    await Promise.all([pair.api, pair.worker].map((p) => p.waitForLog((line) => Number(line.level) >= 40 && /unavailable/.test(String(line.msg)))));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(pair.alive()).toEqual({ api: true, worker: true });

    await cluster.start();
    const since = Date.now();
    await pair.started();
    process.stdout.write(`boot: api and worker started ${Date.now() - since} ms after PostgreSQL did\n`);
    db = createPgPool({ url: cluster.url, schema: 'public', max: 2, applicationName: 'mfh-test-assertions' });
    const health = await fetch(`${pair.baseUrl}/health`);
    expect(health.status).toBe(200);
  }, 90_000);

  it('answers 503 store-unavailable with Retry-After while PostgreSQL is down, and recovers when it is back', async () => {
    const partner = await ApiClient.login(pair.baseUrl, 'contoso-partner', 'contoso-secret');
    await cluster.stop('immediate');
    try {
      for (const response of [
        await partner.get('/v1/customers'),
        await partner.post('/v1/customers', { body: { companyName: 'Down Corp' } }),
        await partner.get('/v1/customers/7d0e4b1e-4f43-4d8c-9a55-2b8f5b6c9d01'),
      ]) {
        expect({ status: response.status, type: response.body?.type }).toEqual({ status: 503, type: '/problems/store-unavailable' });
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect((await fetch(`${pair.baseUrl}/health`)).status).toBe(503);
    } finally {
      await cluster.start();
    }
    const recovered = await eventually(() => partner.post('/v1/customers', { body: { companyName: 'Back Corp' } }), (r) => r.status === 201, 30_000);
    expect(recovered.status).toBe(201);
    expect(pair.alive()).toEqual({ api: true, worker: true });
  }, 60_000);

  it('rides out PostgreSQL crashes under load: nothing acknowledged is lost or applied twice', async () => {
    const partner = await ApiClient.login(pair.baseUrl, 'contoso-partner', 'contoso-secret');
    const traffic = new SteadyTraffic(partner, pair.baseUrl);
    let done = 0;
    const running = traffic.run(60, 6, (n) => (done = n));
    const recoveries: number[] = [];
    for (const after of [10, 30]) {
      while (done < after) await new Promise((resolve) => setTimeout(resolve, 50));
      await cluster.stop('immediate');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await cluster.start();
      const back = Date.now();
      // Recovered: a fresh write through the api succeeds and the worker has projected it.
      const probe = await eventually(() => partner.post('/v1/customers', { body: { companyName: 'Probe Corp' } }), (r) => r.status === 201, 30_000);
      expect(probe.status).toBe(201);
      await eventually(() => partner.get(`/v1/customers?size=500`), (r) => r.status === 200 && r.body.items.some((c: { id: string }) => c.id === probe.body.id), 30_000);
      recoveries.push(Date.now() - back);
    }
    await running;
    process.stdout.write(`PostgreSQL restarts: api wrote and worker projected again ${recoveries.join(' ms, ')} ms after the server was back\n`);

    expect(pair.alive()).toEqual({ api: true, worker: true });
    expect(pair.outageLines(pair.worker)).toBeGreaterThan(0);
    await expectAppliedExactlyOnce(db, pair, partner, traffic);
  }, 240_000);
});
