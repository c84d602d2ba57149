import { QUEUES, QueueName } from '@mfh/messaging';
import { createPgPool, formatPosition } from '@mfh/event-store';
import { createTestSchema, eventually, freePort, TestSchema } from '@mfh/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { ApiClient } from './support/api-client';
import { inParallel } from './support/crash';
import { lineItem } from './support/fixtures';
import { RunningProcess, spawnApp } from './support/processes';
import { deleteQueueKeys } from './support/system';
import { WebhookReceiver } from './support/webhook-receiver';
import { deliver, licensesAssigned, signCallback } from './support/webhooks';

/**
 * Two api processes and two worker processes on one schema and one queue prefix, as
 * `docker compose up --scale api=2 --scale worker=2` runs them. Partner commands and publisher
 * callbacks are spread over both apis, one worker is killed with SIGKILL mid-way, and then every
 * event, projection row and reaction must be there exactly once.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SUBSCRIPTIONS = 1_000;
const LINES_PER_ORDER = 50;
/** Subscriptions that get a chain of partner commands; nothing else writes their streams meanwhile. */
const CHAINED = 250;
/** Each chained subscription's commands, in order, alternating between the two apis: 4 × 250 = 1,000. */
const CHAIN: readonly ((index: number, step: number) => Record<string, unknown>)[] = [
  (index, step) => ({ friendlyName: `Sub ${index} step ${step}` }),
  () => ({ autoRenewEnabled: false }),
  (index, step) => ({ friendlyName: `Sub ${index} step ${step}` }),
  // Every other subscription turns auto-renew back on, the rest are renamed once more.
  (index, step) => (index % 2 === 0 ? { autoRenewEnabled: true } : { friendlyName: `Sub ${index} step ${step}` }),
];
/** Subscriptions of the first wave whose seats the partner changes once they are active: a ChangeQuantity notification and an auto-accept timer each. */
const SEAT_CHANGED = 200;
/** Kill the first worker once this many of the first wave's callbacks are applied. */
const KILL_AFTER_APPLIED = 200;
const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';

interface Process {
  readonly name: string;
  readonly process: RunningProcess;
}

/** The development catalog with fabrikam's notifications sent to the receiver. */
function catalogNotifying(dir: string, notificationUrl: string): string {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '..', 'config/catalog.development.json'), 'utf8'));
  catalog.publishers.find((p: { id: string }) => p.id === 'fabrikam').notificationUrl = notificationUrl;
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

const running = (p: RunningProcess) => p.child.exitCode === null && p.child.signalCode === null;

/**
 * The local ports of `pid`'s TCP connections to PostgreSQL, read from /proc (Linux): a socket's
 * inode in /proc/<pid>/fd, its ports in /proc/net/tcp. pg_stat_activity's client_port then tells
 * which process each backend serves, although both workers name their sessions alike.
 */
function postgresClientPorts(pid: number, postgresPort: number): Set<number> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return new Set(); // the process is gone
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || !inodes.has(columns[9])) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      if (port(columns[2]) === postgresPort) ports.add(port(columns[1]));
    }
  }
  return ports;
}

interface LockSample {
  at: number;
  /** Consumer name → the workers whose backends hold its checkpoint row locked. */
  holders: Map<string, string[]>;
  /** Consumer name → checkpoint position. */
  checkpoints: Map<string, string>;
  /** Worker sessions waiting on a lock (the losing runner of a batch waits on the checkpoint row). */
  lockWaits: number;
}

/**
 * Samples, every few tens of milliseconds, which worker holds each consumer's checkpoint row (the
 * catch-up runner's `SELECT … FOR UPDATE`; pgrowlocks lists the lockers' backend pids) and where each
 * checkpoint stands.
 */
class ConsumerSampler {
  readonly samples: LockSample[] = [];
  private readonly owner = new Map<number, string>();
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: PoolClient,
    private readonly schema: string,
    private readonly extensionSchema: string,
    private readonly workers: readonly Process[],
    private readonly postgresPort: number,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.sample();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async refreshOwners(): Promise<void> {
    const { rows } = await this.client.query<{ pid: number; client_port: number }>(
      'SELECT pid, client_port FROM pg_stat_activity WHERE application_name LIKE $1',
      [`mfh-worker% ${this.schema}`],
    );
    const portsByWorker = this.workers.map((w) => ({ name: w.name, ports: postgresClientPorts(w.process.child.pid!, this.postgresPort) }));
    for (const row of rows) {
      const worker = portsByWorker.find((w) => w.ports.has(row.client_port));
      if (worker) this.owner.set(row.pid, worker.name);
    }
  }

  private async sample(): Promise<void> {
    const at = Date.now();
    const { rows } = await this.client.query<{ name: string; position: string; pids: number[] | null }>(
      `SELECT c.name, c.position, l.pids
         FROM ${this.schema}.projection_checkpoints c
         LEFT JOIN ${this.extensionSchema}.pgrowlocks('${this.schema}.projection_checkpoints') l ON l.locked_row = c.ctid`,
    );
    if (rows.some((row) => (row.pids ?? []).some((pid) => !this.owner.has(pid)))) await this.refreshOwners();
    const holders = new Map<string, string[]>();
    const checkpoints = new Map<string, string>();
    for (const row of rows) {
      checkpoints.set(row.name, row.position);
      if (row.pids && row.pids.length > 0) holders.set(row.name, row.pids.map((pid) => this.owner.get(pid) ?? `unknown backend ${pid}`));
    }
    const { rows: waits } = await this.client.query<{ count: string }>(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock'",
      [`mfh-worker% ${this.schema}`],
    );
    this.samples.push({ at, holders, checkpoints, lockWaits: Number(waits[0].count) });
  }
}

describe('Two apis and two workers on the same stores, one worker killed (SIGKILL) mid-way', () => {
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  let schema: TestSchema;
  let db: Pool;
  let apis: Process[] = [];
  let workers: Process[] = [];
  let baseUrls: string[] = [];
  let extensionSchema: string;
  let createdExtension = false;
  let redis: Redis;
  let receiver: WebhookReceiver;
  let dir: string;
  let sampler: ConsumerSampler | undefined;
  let samplerClient: PoolClient | undefined;
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName): Queue => {
    if (!queues.has(name)) queues.set(name, new Queue(name, { connection: redis, prefix: queuePrefix }));
    return queues.get(name)!;
  };

  beforeAll(async () => {
    schema = await createTestSchema('multi');
    db = createPgPool({ url: schema.url, schema: schema.schema, max: 4, applicationName: 'mfh-test-assertions' });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    receiver = await WebhookReceiver.start();
    dir = mkdtempSync(join(tmpdir(), 'mfh-multi-'));
    const env = {
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '4',
      CATALOG_FILE: catalogNotifying(dir, receiver.url),
      OPERATION_AUTO_ACCEPT_MS: '2000',
    };
    const ports = [await freePort(), await freePort()];
    baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    // All four at once: the migrations' advisory lock keeps them from racing.
    apis = ports.map((port, i) => ({ name: `api-${'AB'[i]}`, process: spawnApp('api', { ...env, PORT: String(port) }) }));
    workers = ['worker-A', 'worker-B'].map((name) => ({ name, process: spawnApp('worker', env) }));
    await Promise.all([...apis, ...workers].map((p) => p.process.waitForLog((line) => line.msg === 'started', 60_000)));
    receiver.trust(`${baseUrls[1]}/.well-known/jwks.json`, 'fabrikam');

    const { rows } = await db.query<{ schema: string }>(
      "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgrowlocks'",
    );
    if (rows.length === 0) {
      await db.query(`CREATE EXTENSION pgrowlocks SCHEMA ${schema.schema}`);
      createdExtension = true;
      extensionSchema = schema.schema;
    } else {
      extensionSchema = rows[0].schema;
    }
  }, 90_000);

  afterAll(async () => {
    await sampler?.stop();
    samplerClient?.release();
    for (const p of [...apis, ...workers]) {
      if (running(p.process)) p.process.kill('SIGTERM');
      await p.process.exited;
    }
    for (const q of queues.values()) await q.close();
    redis?.disconnect();
    if (createdExtension) await db.query('DROP EXTENSION IF EXISTS pgrowlocks');
    await db?.end();
    await schema?.drop();
    await deleteQueueKeys(REDIS_URL, queuePrefix);
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function countOf(eventType: string): Promise<number> {
    const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM events WHERE event_type = $1', [eventType]);
    return Number(rows[0].count);
  }

  /** The log's last position. */
  async function head(): Promise<string> {
    const { rows } = await db.query<{ tx: string; pos: string }>(
      'SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    return formatPosition({ commit: BigInt(rows[0].tx), prepare: BigInt(rows[0].pos) });
  }

  /** No job left to run on any queue, and every consumer at a head that no longer moves. */
  async function settled(): Promise<void> {
    await eventually(
      async () => {
        const before = await head();
        const { rows } = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints');
        let pending = 0;
        for (const name of [QUEUES.callbacks, QUEUES.billing, QUEUES.orders, QUEUES.operations, QUEUES.notifications]) {
          const counts = await queue(name).getJobCounts('waiting', 'active', 'prioritized', 'delayed');
          pending += counts.waiting + counts.active + counts.prioritized;
          // Renewals wait a month; the operations' auto-accepts and notification retries must have run.
          if (name === QUEUES.operations || name === QUEUES.notifications) pending += counts.delayed;
        }
        return { atHead: rows.length > 0 && rows.every((row) => row.position === before) && (await head()) === before, pending };
      },
      (state) => state.atHead && state.pending === 0,
      60_000,
    );
  }

  it('applies every command and callback, every projection row and every reaction exactly once', async () => {
    const started = Date.now();
    const phases: string[] = [];
    let phaseStart = started;
    const phase = (name: string) => {
      phases.push(`${name} ${Date.now() - phaseStart} ms`);
      phaseStart = Date.now();
    };
    // One token of each client, taken from api A and used on both: the signing keys are shared.
    const partners = await Promise.all(baseUrls.map(async (url) => new ApiClient(url, await login(baseUrls[0], 'contoso-partner', 'contoso-secret'))));
    const publishers = await Promise.all(baseUrls.map(async (url) => new ApiClient(url, await login(baseUrls[0], 'fabrikam-publisher', 'fabrikam-secret'))));
    const via = (i: number) => i % 2;

    // Customers and orders spread over both apis.
    const bought: { customerId: string; subscriptionId: string }[] = [];
    const orders: string[] = [];
    const customers: string[] = [];
    await inParallel(
      Array.from({ length: SUBSCRIPTIONS / LINES_PER_ORDER }, (_, i) => i),
      4,
      async (i) => {
        const partner = partners[via(i)];
        const customer = await partner.post('/v1/customers', { body: { companyName: `Multi ${i}`, domain: 'adatum.com' } });
        expect(customer.status).toBe(201);
        const order = await partners[via(i + 1)].post(`/v1/customers/${customer.body.id}/orders`, {
          body: { lineItems: Array.from({ length: LINES_PER_ORDER }, () => lineItem({ quantity: 5 })) },
          headers: { 'idempotency-key': `multi-order-${i}` },
        });
        expect(order.status).toBe(201);
        customers.push(customer.body.id);
        orders.push(order.body.id);
        for (const line of order.body.lineItems) bought.push({ customerId: customer.body.id, subscriptionId: line.subscriptionId });
      },
    );
    expect(new Set(bought.map((b) => b.subscriptionId)).size).toBe(SUBSCRIPTIONS);
    phase('buy');
    const path = (b: { customerId: string; subscriptionId: string }) => `/v1/customers/${b.customerId}/subscriptions/${b.subscriptionId}`;
    const chained = bought.slice(0, CHAINED);
    const others = bought.slice(CHAINED);

    const pgPort = Number(new URL(schema.url).port || 5432);
    samplerClient = await db.connect();
    const consumers = new ConsumerSampler(samplerClient, schema.schema, extensionSchema, workers, pgPort);
    sampler = consumers;
    consumers.start();

    // Every callback once on one api; every tenth also redelivered to the other (same webhook-id).
    const callbacks = bought.map((b) => signCallback(licensesAssigned(b.subscriptionId, 5)));
    const deliveries = (part: readonly number[]) => part.flatMap((i) => (i % 10 === 0 ? [[i, 0], [i, 1]] : [[i, via(i)]]) as [number, number][]);
    const deliverAll = (indexes: readonly number[]) =>
      inParallel(deliveries(indexes), 12, async ([i, api]) => {
        const response = await deliver(baseUrls[api], callbacks[i]);
        if (response.status !== 202) throw new Error(`callback ${i} on api ${api}: ${response.status} ${response.text}`);
      });
    const activateAll = (items: readonly { subscriptionId: string }[], offset: number) =>
      inParallel(
        items.map((item, i) => ({ item, api: via(i + offset) })),
        6,
        async ({ item, api }) => {
          const response = await publishers[api].post(`${SAAS}/${item.subscriptionId}/activate?${API_VERSION}`, { body: { planId: 'standard', quantity: 5 } });
          if (response.status !== 200) throw new Error(`activate ${item.subscriptionId} on api ${api}: ${response.status} ${response.text}`);
        },
      );

    // Partner command chains: each command on one api with If-Match, then a GET on the other api.
    const stale: string[] = [];
    const unreadWrites: string[] = [];
    let commands = 0;
    const runChains = () =>
      inParallel(
        chained.map((b, index) => ({ b, index })),
        12,
        async ({ b, index }) => {
          let etag = (await partners[via(index)].get(path(b))).headers.get('etag')!;
          for (let step = 0; step < CHAIN.length; step++) {
            const writer = via(index + step);
            const change = CHAIN[step](index, step);
            const response = await partners[writer].patch(path(b), { body: change, headers: { 'if-match': etag } });
            if (response.status === 412) stale.push(`${b.subscriptionId} step ${step} on api ${writer}: If-Match ${etag}`);
            if (response.status !== 200) throw new Error(`PATCH ${b.subscriptionId} step ${step}: ${response.status} ${response.text}`);
            commands++;
            etag = response.headers.get('etag')!;
            const read = await partners[1 - writer].get(path(b));
            const shows = Object.entries(change).every(([key, value]) => read.body[key] === value);
            if (read.status !== 200 || read.headers.get('etag') !== etag || !shows) {
              unreadWrites.push(`${b.subscriptionId} step ${step}: wrote ${etag} ${JSON.stringify(change)} on api ${writer}, read ${read.headers.get('etag')} on the other`);
            }
          }
        },
      );

    // Seat changes, each as soon as its subscription is active (licenses assigned, fulfilment confirmed, billing started).
    const seatChanged = others.slice(0, SEAT_CHANGED);
    const seatStale: string[] = [];
    const changeSeats = () =>
      inParallel(
        seatChanged.map((b, index) => ({ b, index })),
        8,
        async ({ b, index }) => {
          const reader = partners[via(index)];
          const writer = partners[1 - via(index)];
          const deadline = Date.now() + 60_000;
          for (;;) {
            const read = await reader.get(path(b));
            if (read.body.status === 'active') {
              const response = await writer.patch(path(b), { body: { quantity: 7 }, headers: { 'if-match': read.headers.get('etag')! } });
              if (response.status === 412) {
                seatStale.push(`${b.subscriptionId}: If-Match ${read.headers.get('etag')}`);
                continue;
              }
              if (response.status !== 202) throw new Error(`seats of ${b.subscriptionId}: ${response.status} ${response.text}`);
              // The auto-accept may already have appended SeatsChanged: the read shows this revision or a later one.
              const after = await reader.get(path(b));
              const revision = (r: { headers: Headers }) => Number(JSON.parse(r.headers.get('etag') ?? 'null'));
              if (!(revision(after) >= revision(response))) {
                unreadWrites.push(`${b.subscriptionId} seats: wrote ${response.headers.get('etag')}, read ${after.headers.get('etag')} on the other api`);
              }
              return;
            }
            if (Date.now() > deadline) throw new Error(`${b.subscriptionId} not active within 60 s: ${read.text}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        },
      );

    // The first wave: chains on 250 subscriptions while the other 750 get their callbacks and activations.
    const othersIdx = others.map((_, i) => CHAINED + i);
    const timed = async (name: string, task: Promise<void>) => {
      const from = Date.now();
      await task;
      phases.push(`(${name} ${Date.now() - from} ms)`);
    };
    const firstWave = Promise.all([
      timed('commands', runChains()),
      timed('callbacks', deliverAll(othersIdx)),
      timed('activations', activateAll(others, 0)),
      timed('seat changes', changeSeats()),
    ]);
    let failure: unknown = null;
    firstWave.catch((error) => (failure = error));
    const killed = workers[0];
    const survivor = workers[1];
    await eventually(
      async () => (failure ? KILL_AFTER_APPLIED : countOf('PublisherActivated')),
      (count) => count >= KILL_AFTER_APPLIED,
      60_000,
    );
    if (failure) throw failure;
    const lockersBeforeKill = consumers.samples.length;
    killed.process.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await killed.process.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const appliedAtKill = await countOf('PublisherActivated');
    // Jobs running at the kill: the killed worker's come back only through BullMQ's stalled-job check.
    const activeAtKill = (
      await Promise.all([QUEUES.callbacks, QUEUES.billing, QUEUES.notifications, QUEUES.operations].map(async (name) => (await queue(name).getActive()).map((job) => ({ name, id: job.id! }))))
    ).flat();
    const stalledRecovered = (async () => {
      await eventually(
        async () => {
          const states = await Promise.all(activeAtKill.map(async (job) => (await queue(job.name).getJob(job.id))?.finishedOn ?? null));
          return states.every((finished) => finished !== null);
        },
        (done) => done,
        60_000,
      );
      return Date.now() - killedAt;
    })();
    await firstWave;
    phase('first wave');
    expect(commands).toBe(CHAINED * CHAIN.length);

    // The second wave, with one worker left: the chained subscriptions' callbacks and activations.
    await Promise.all([deliverAll(chained.map((_, i) => i)), activateAll(chained, 1)]);
    phase('second wave');
    const jobsTakenOverMs = await stalledRecovered;
    phase('stalled jobs');
    await settled();
    phase('settle');
    await consumers.stop();
    samplerClient.release();
    samplerClient = undefined;
    expect(appliedAtKill).toBeLessThan(SUBSCRIPTIONS);

    // --- Read-your-writes across apis, and no stale ETag where nothing else wrote.
    expect(unreadWrites).toEqual([]);
    expect(stale).toEqual([]);
    expect(seatStale).toEqual([]);

    // --- At every moment at most one worker held each consumer; after the kill, only the survivor.
    const samples = consumers.samples;
    const doubled = samples.flatMap((s) => [...s.holders].filter(([, holders]) => holders.length > 1).map(([name, holders]) => `${name}: ${holders.join(', ')}`));
    expect(doubled).toEqual([]);
    const heldBy = (name: string, from = 0, to = samples.length) =>
      new Set(samples.slice(from, to).flatMap((s) => [...s.holders].filter(([, holders]) => holders.includes(name)).map(([consumer]) => consumer)));
    const killedLastHeld = samples.filter((s) => s.at > killedAt && [...s.holders.values()].some((h) => h.includes(killed.name))).at(-1);
    const gaps = samples.slice(1).map((s, i) => s.at - samples[i].at);
    const killedHeldAfter = samples.filter((s) => s.at > killedAt + 1_000 && [...s.holders.values()].some((h) => h.includes(killed.name)));
    expect(killedHeldAfter).toEqual([]);
    // Both workers took batches of the consumers before the kill: they share them, batch by batch.
    const consumersOf = (name: string) => heldBy(name, 0, lockersBeforeKill).size;
    expect([consumersOf(killed.name), consumersOf(survivor.name)].map((n) => n > 0)).toEqual([true, true]);
    const unknownHolders = samples.flatMap((s) => [...s.holders.values()].flat()).filter((h) => h.startsWith('unknown')).length;
    // After the kill, the survivor takes each consumer on: first seen holding its row, or its checkpoint first moved.
    const atKill = samples.filter((s) => s.at <= killedAt).at(-1)!.checkpoints;
    const takeover = new Map<string, number>();
    for (const s of samples.filter((x) => x.at > killedAt)) {
      for (const [name, position] of s.checkpoints) {
        const taken = position !== atKill.get(name) || (s.holders.get(name) ?? []).includes(survivor.name);
        if (!takeover.has(name) && taken) takeover.set(name, s.at - killedAt);
      }
    }
    expect([...atKill.keys()].filter((name) => !takeover.has(name))).toEqual([]);
    const consumerTakeoverMs = Math.max(...takeover.values());
    expect(consumerTakeoverMs).toBeLessThan(10_000);
    expect(jobsTakenOverMs).toBeLessThan(30_000);

    // --- Events: each command once, each callback once, each reaction once.
    const { rows: counts } = await db.query<{ stream_id: string; event_type: string; count: string }>(
      'SELECT stream_id, event_type, count(*) FROM events GROUP BY stream_id, event_type',
    );
    const count = new Map(counts.map((row) => [`${row.stream_id}/${row.event_type}`, Number(row.count)]));
    const wrong: string[] = [];
    const expectCount = (key: string, n: number) => (count.get(key) ?? 0) !== n && wrong.push(`${key}: ${count.get(key) ?? 0}, expected ${n}`);
    chained.forEach((b, index) => {
      const stream = `subscription-${b.subscriptionId}`;
      expectCount(`${stream}/SubscriptionRenamed`, index % 2 === 0 ? 2 : 3);
      expectCount(`${stream}/AutoRenewDisabled`, 1);
      expectCount(`${stream}/AutoRenewEnabled`, index % 2 === 0 ? 1 : 0);
    });
    for (const b of bought) {
      for (const type of ['SubscriptionPurchased', 'PublisherActivated', 'FulfillmentConfirmed', 'BillingStarted']) expectCount(`subscription-${b.subscriptionId}/${type}`, 1);
    }
    const seatChangedIds = new Set(seatChanged.map((b) => b.subscriptionId));
    for (const b of bought) {
      const n = seatChangedIds.has(b.subscriptionId) ? 1 : 0;
      expectCount(`subscription-${b.subscriptionId}/SeatChangeRequested`, n);
      expectCount(`subscription-${b.subscriptionId}/SeatsChanged`, n);
    }
    for (const id of customers) expectCount(`customer-${id}/CustomerCreated`, 1);
    for (const id of orders) {
      expectCount(`order-${id}/OrderPlaced`, 1);
      expectCount(`order-${id}/OrderCompleted`, 1);
    }
    expect(wrong).toEqual([]);
    // One charge per BillingStarted, by its cause.
    const { rows: charges } = await db.query<{ reference_id: string; copies: string }>(
      "SELECT data->>'referenceId' AS reference_id, count(*) AS copies FROM events WHERE event_type = 'ChargeRecorded' GROUP BY 1",
    );
    const { rows: starts } = await db.query<{ event_id: string }>("SELECT event_id FROM events WHERE event_type = 'BillingStarted'");
    const { rows: seatChanges } = await db.query<{ event_id: string; subscription_id: string }>(
      "SELECT event_id, substr(stream_id, 14) AS subscription_id FROM events WHERE event_type = 'SeatChangeRequested'",
    );
    const { rows: seatsChanged } = await db.query<{ event_id: string }>("SELECT event_id FROM events WHERE event_type = 'SeatsChanged'");
    expect(charges.filter((c) => Number(c.copies) !== 1)).toEqual([]);
    // A BillingStarted's `new` line, and a SeatsChanged's proration line.
    expect(new Set(charges.map((c) => c.reference_id))).toEqual(new Set([...starts, ...seatsChanged].map((s) => s.event_id)));

    // --- Jobs: one per callback, one billing job per billing condition, one renewal timer per start.
    const callbackJobs = await queue(QUEUES.callbacks).getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    expect(callbackJobs).toEqual({ completed: SUBSCRIPTIONS, failed: 0, waiting: 0, active: 0, delayed: 0 });
    const { rows: conditions } = await db.query<{ event_id: string }>(
      "SELECT event_id FROM events WHERE event_type IN ('PublisherActivated', 'FulfillmentConfirmed')",
    );
    const billingJobs = await queue(QUEUES.billing).getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(billingJobs.filter((job) => job.finishedOn === undefined || job.failedReason)).toEqual([]);
    expect(billingJobs.map((job) => job.id).sort()).toEqual(conditions.map((c) => c.event_id).sort());
    const renewals = await queue(QUEUES.renewals).getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
    expect(renewals.map((job) => job.id).sort()).toEqual(starts.map((s) => s.event_id).sort());
    // One auto-accept timer per seat change, each run to completion; one notification per seat change.
    const operationJobs = await queue(QUEUES.operations).getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
    expect(operationJobs.filter((job) => job.finishedOn === undefined || job.failedReason).map((job) => job.id)).toEqual([]);
    expect(operationJobs.map((job) => job.id).sort()).toEqual(seatChanges.map((s) => s.event_id).sort());
    const notificationJobs = await queue(QUEUES.notifications).getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']);
    expect(notificationJobs.filter((job) => job.finishedOn === undefined || job.failedReason).map((job) => job.id)).toEqual([]);
    const { rows: notified } = await db.query<{ id: string; subscription_id: string; action: string }>(
      'SELECT id, subscription_id, action FROM notification_deliveries',
    );
    expect(notified.map((d) => d.id).sort()).toEqual(notificationJobs.map((job) => job.id).sort());
    expect(notified.filter((d) => d.action !== 'ChangeQuantity')).toEqual([]);
    expect(notified.map((d) => d.subscription_id).sort()).toEqual(seatChanges.map((s) => s.subscription_id).sort());
    // The publisher heard of each once; a second POST only for a job the kill interrupted mid-delivery (at least once over HTTP).
    const interrupted = new Set(activeAtKill.filter((job) => job.name === QUEUES.notifications).map((job) => job.id));
    const heard = new Map<string, number>();
    for (const request of receiver.requests()) if (request.verified) heard.set(request.subscriptionId!, (heard.get(request.subscriptionId!) ?? 0) + 1);
    expect(seatChanged.filter((b) => !heard.has(b.subscriptionId)).map((b) => b.subscriptionId)).toEqual([]);
    const deliveryOf = new Map(notified.map((d) => [d.subscription_id, d.id]));
    const twice = [...heard].filter(([id, n]) => n > 1 && !interrupted.has(deliveryOf.get(id)!));
    expect(twice).toEqual([]);
    expect(receiver.requests().filter((r) => !r.verified)).toEqual([]);
    const { rows: attemptOutcomes } = await db.query<{ outcome: string; count: string }>('SELECT outcome, count(*) FROM notification_attempts GROUP BY 1');
    expect(attemptOutcomes).toEqual([{ outcome: 'delivered', count: String(seatChanged.length) }]);

    // --- Projections: every row as the command side has it.
    const { rows: lastRevisions } = await db.query<{ stream_id: string; revision: string }>(
      "SELECT stream_id, max(stream_revision)::text AS revision FROM events WHERE stream_id LIKE 'subscription-%' GROUP BY stream_id",
    );
    const { rows: projected } = await db.query<{ id: string; revision: string; friendly_name: string | null; auto_renew_enabled: boolean; licenses_assigned: boolean; fulfillment_confirmed: boolean; quantity: number; status: string }>(
      'SELECT id, revision::text, friendly_name, auto_renew_enabled, licenses_assigned, fulfillment_confirmed, quantity, status FROM subscriptions',
    );
    expect(new Map(projected.map((row) => [`subscription-${row.id}`, row.revision]))).toEqual(new Map(lastRevisions.map((row) => [row.stream_id, row.revision])));
    const expectedRow = (index: number) =>
      index < CHAINED
        ? { friendly_name: `Sub ${index} step ${index % 2 === 0 ? 2 : 3}`, auto_renew_enabled: index % 2 === 0 }
        : { auto_renew_enabled: true };
    const rowsById = new Map(projected.map((row) => [row.id, row]));
    const mismatched = bought.flatMap((b, index) => {
      const row = rowsById.get(b.subscriptionId);
      const quantity = seatChangedIds.has(b.subscriptionId) ? 7 : 5;
      const expected = { ...expectedRow(index), licenses_assigned: true, fulfillment_confirmed: true, quantity, status: 'active' };
      const actual = row && Object.fromEntries(Object.keys(expected).map((key) => [key, row[key as keyof typeof row]]));
      return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${b.subscriptionId}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`];
    });
    expect(mismatched).toEqual([]);
    // The partner's list (the projection) against the single GET (the stream), on different apis.
    const listedDiffer: string[] = [];
    await inParallel(customers, 4, async (customerId, ) => {
      const listed = await partners[0].get(`/v1/customers/${customerId}/subscriptions?size=100`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(LINES_PER_ORDER);
      for (const item of listed.body.items as { id: string }[]) {
        const single = await partners[1].get(`/v1/customers/${customerId}/subscriptions/${item.id}`);
        if (JSON.stringify(single.body) !== JSON.stringify(item)) listedDiffer.push(`${item.id}: list ${JSON.stringify(item)} ≠ get ${JSON.stringify(single.body)}`);
      }
    });
    expect(listedDiffer.slice(0, 3)).toEqual([]);
    const { rows: tables } = await db.query<{ customers: string; orders: string }>('SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders');
    expect(tables[0]).toEqual({ customers: String(customers.length), orders: String(orders.length) });

    // Both processes of each kind still up (but the one killed).
    expect([...apis, survivor].map((p) => running(p.process))).toEqual([true, true, true]);
    process.stdout.write(
      [
        `multi-process: ${SUBSCRIPTIONS} subscriptions, ${commands} partner commands, ${deliveries(bought.map((_, i) => i)).length} callback deliveries (${SUBSCRIPTIONS} callbacks), ${SUBSCRIPTIONS} activations, over 2 apis`,
        `  worker-A killed with ${appliedAtKill} of ${SUBSCRIPTIONS} callbacks applied; ${activeAtKill.length} jobs active at the kill`,
        `  consumer takeover after the kill: max ${consumerTakeoverMs} ms over ${takeover.size} consumers (${[...takeover].map(([n, ms]) => `${n} ${ms}`).join(', ')})`,
        `  jobs active at the kill all finished ${jobsTakenOverMs} ms after it`,
        `  ${seatChanged.length} seat changes: ${notificationJobs.length} notification jobs, ${receiver.requests().length} POSTs received (${interrupted.size} interrupted by the kill), ${operationJobs.length} auto-accepts`,
        `  ${samples.length} lock samples; consumers seen held before the kill: worker-A ${consumersOf(killed.name)}, worker-B ${consumersOf(survivor.name)}; never two holders (${unknownHolders} holdings by a backend not mapped to a worker); up to ${Math.max(...samples.map((x) => x.lockWaits))} worker sessions waiting on a lock at once`,
        `  the killed worker's last row lock seen ${killedLastHeld ? `${killedLastHeld.at - killedAt} ms` : 'never'} after the kill; samples every ${Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length)} ms on average, longest gap ${Math.max(...gaps)} ms`,
        `  ${phases.join(', ')}; checks ${Date.now() - phaseStart} ms; total ${Date.now() - started} ms`,
      ].join('\n') + '\n',
    );
  }, 150_000);
});

async function login(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await new ApiClient(baseUrl).post('/oauth2/token', { body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
  if (response.status !== 200) throw new Error(`login ${clientId}: ${response.status} ${response.text}`);
  return response.body.access_token;
}
