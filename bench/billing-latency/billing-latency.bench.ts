/**
 * Billing latency (issue 14): subscriptions whose two billing conditions arrive at a fixed rate (the
 * publisher's activate, and a signed LicensesAssigned callback, half in each order), timed from the
 * second condition's 2xx to the BillingStarted event's recordedAt; then a sweep over rates for the
 * one at which p99 crosses the target. The api and the worker run as processes of their own, at
 * the default log level unless BENCH_LOG_LEVEL says otherwise. See bench/README.md.
 */
import 'reflect-metadata';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { bullConnection, QUEUES } from '@mfh/messaging';
import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { AppProcesses, freePort, until, waitForHealth } from '../support/app-processes';
import { assignLicenses } from '../support/callbacks';
import { httpPost } from '../support/http-post';
import { printSummary, summariseFiles } from '../support/profile-summary';
import { admin, dropSchema, newSchemaName, withClient } from '../support/database';
import { accessToken, BoughtSubscription, buySubscriptions, login } from '../support/partner-api';
import { deleteKeys } from '../support/redis';
import { resultsDir, stamp, writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { databaseUrl, env, redisUrl } from '../support/settings';
import { percentiles, round } from '../support/stats';

const positive = { positive: true };
const rates = (process.env.BENCH_RATES || '10,25,50,100,150,200').split(',').map((rate) => {
  const value = Number(rate);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`BENCH_RATES must be positive numbers, got ${rate}`);
  return value;
});
const settings = {
  databaseUrl,
  redisUrl,
  /** Subscriptions per rate: each gets its two conditions once. */
  subscriptions: Math.round(env('BENCH_SUBSCRIPTIONS', 300, positive)),
  /** The headline rate, subscriptions per second; measured first, and again in the sweep if listed there. */
  rate: env('BENCH_RATE', 100, positive),
  /** The sweep; the headline rate alone (`BENCH_RATE=100 BENCH_RATES=100`) measures only the headline. */
  rates: [...new Set(rates)].sort((a, b) => a - b),
  /** Subscriptions sent at 10/s first, not measured: the processes' first requests and jobs. */
  warmup: Math.round(env('BENCH_WARMUP', 30)),
  /** Unset: the processes' default (info). */
  logLevel: process.env.BENCH_LOG_LEVEL ?? '',
  timeoutSeconds: env('BENCH_TIMEOUT', 120, positive),
  /** `worker` or `api`: that process is run with --cpu-prof for the measured rates, summarised at the end. */
  cpuProfile: process.env.BENCH_CPU_PROFILE ?? '',
};
const TARGET_P99_MS = 250;
const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const SEATS = 5;

type Order = 'activate-first' | 'callback-first';

interface Sent {
  subscriptionId: string;
  order: Order;
  /** Epoch ms (sub-millisecond) of when its pair was due to start, sent, and each 2xx. */
  dueAt: number;
  startedAt: number;
  activatedAt: number;
  callbackAcceptedAt: number;
}

interface RateResult {
  rate: number;
  subscriptions: number;
  /** The schedule as kept: the last pair's start against its due time. */
  sendLagMs: number;
  /** From the second condition's 2xx to BillingStarted's recordedAt. */
  latencyMs: ReturnType<typeof percentiles>;
  byOrder: Record<Order, ReturnType<typeof percentiles>>;
  activateMs: ReturnType<typeof percentiles>;
  callbackMs: ReturnType<typeof percentiles>;
  /** Worker CPU over the slice, ms per subscription, and as a share of a core. */
  workerCpuMsPerSubscription: number | null;
  workerCores: number | null;
  apiCores: number | null;
}

async function main(): Promise<void> {
  const schema = newSchemaName();
  const processes = new AppProcesses();
  const cleanUp = async () => {
    await processes.stopAll();
    await dropSchema(schema);
    await deleteKeys([schema]);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    await admin(`CREATE SCHEMA ${schema}`);
    await measure(schema, processes);
  } finally {
    await cleanUp();
  }
}

async function measure(schema: string, processes: AppProcesses): Promise<void> {
  const port = await freePort();
  const vars: Record<string, string> = {
    DATABASE_URL: settings.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: schema,
    PORT: String(port),
  };
  if (settings.logLevel) vars.LOG_LEVEL = settings.logLevel;
  const config = loadConfig(vars);
  const at = new Date().toISOString();
  const logOf = (name: string) => join(resultsDir, `billing-latency-${stamp(at)}-${name}.log`);
  mkdirSync(resultsDir, { recursive: true });
  const profile = (name: string) => (settings.cpuProfile === name ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=billing-latency-${stamp(at)}-${name}.cpuprofile`] : []);

  // The api first: it migrates the schema the worker then finds ready.
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = processes.start('api', vars, logOf('api'), profile('api'));
  await waitForHealth(baseUrl);
  const partner = await login(baseUrl);
  const publisher = await accessToken(baseUrl, 'fabrikam-publisher', 'fabrikam-secret');

  // A sweep of the headline rate alone is the headline.
  const runs = settings.rates.length === 1 && settings.rates[0] === settings.rate ? [settings.rate] : [settings.rate, ...settings.rates];
  const needed = settings.warmup + runs.length * settings.subscriptions;
  const boughtAt = performance.now();
  const bought = await buySubscriptions(baseUrl, partner, needed);
  console.log(`schema ${schema}: ${needed} subscriptions bought (${((performance.now() - boughtAt) / 1000).toFixed(1)} s); log level ${settings.logLevel || 'default'}`);

  // The worker starts once the set-up is done, so that a profile of it holds only what is measured.
  const worker = processes.start('worker', vars, logOf('worker'), profile('worker'));
  const monitor = Object.fromEntries(
    [QUEUES.billing, QUEUES.callbacks].map((name) => [name, new Queue(name, { connection: bullConnection(config), prefix: schema })]),
  ) as Record<string, Queue>;
  const send = (subscriptions: BoughtSubscription[], rate: number) => sendAtRate(baseUrl, publisher, subscriptions, rate);
  const settle = (subscriptions: BoughtSubscription[]) => allBilled(schema, subscriptions, monitor);

  try {
    await caughtUp(schema);
    let next = 0;
    const take = (n: number) => bought.slice(next, (next += n));
    if (settings.warmup > 0) {
      const warm = take(settings.warmup);
      await send(warm, 10);
      await settle(warm);
      console.log(`warm-up: ${warm.length} subscriptions at 10/s, not measured`);
    }
    const results: RateResult[] = [];
    for (const [index, rate] of runs.entries()) {
      const subscriptions = take(settings.subscriptions);
      const cpuBefore = [cpuTicks(worker), cpuTicks(api)];
      const slice = performance.now();
      const sent = await send(subscriptions, rate);
      const recorded = await settle(subscriptions);
      const sliceMs = performance.now() - slice;
      const cpu = [cpuTicks(worker), cpuTicks(api)].map((ticks, i) => (ticks === null || cpuBefore[i] === null ? null : ticks - cpuBefore[i]!));
      const result = summarise(rate, sent, recorded, sliceMs, cpu[0], cpu[1]);
      if (index === 0) console.log(`headline, ${rate}/s:`);
      else if (index === 1) console.log('sweep:');
      printRate(result);
      results.push(result);
    }
    const [headline, ...rest] = results;
    const sweep = rest.length > 0 ? rest : results;
    const crossing = crossingOf(sweep);

    await processes.stopAll();
    const profiles = settings.cpuProfile
      ? readdirSync(resultsDir)
          .filter((f) => f.startsWith(`billing-latency-${stamp(at)}-`) && f.endsWith('.cpuprofile'))
          .map((f) => ({ file: join(resultsDir, f), summary: summariseFiles([join(resultsDir, f)]) }))
      : [];
    const file = writeResults('billing-latency', at, {
      benchmark: 'billing-latency',
      at,
      node: process.version,
      cores: cpus().length,
      settings,
      targetP99Ms: TARGET_P99_MS,
      headline,
      sweep,
      crossing,
      profiles,
    });
    console.log('');
    console.log(
      `headline ${headline.rate}/s   p50 ${headline.latencyMs.p50} ms, p99 ${headline.latencyMs.p99} ms   target p99 < ${TARGET_P99_MS}: ${headline.latencyMs.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`,
    );
    console.log(`p99 crosses ${TARGET_P99_MS} ms  ${crossing.text}`);
    for (const { file: profileFile, summary } of profiles) {
      console.log(`CPU profile ${profileFile}`);
      printSummary(summary, 15, '  ');
    }
    console.log(`results: ${file}`);
    console.log(`logs:    ${logOf('api')}, ${logOf('worker')}`);
  } finally {
    await Promise.all(Object.values(monitor).map((q) => q.close()));
  }
}

/** Until the worker has read the set-up's events: every checkpoint unchanged for 1.5 s. */
async function caughtUp(schema: string): Promise<void> {
  const positions = () =>
    withClient(async (client) => {
      const { rows } = await client
        .query<{ all: string | null }>(`SELECT string_agg(name || '@' || position, ',' ORDER BY name) AS all FROM ${schema}.projection_checkpoints`)
        .catch(() => ({ rows: [{ all: null }] }));
      return rows[0].all;
    });
  let last: string | null = null;
  let since = performance.now();
  await until(
    positions,
    (now) => {
      if (now !== last) [last, since] = [now, performance.now()];
      return now !== null && performance.now() - since >= 1_500;
    },
    'the worker to catch up with the set-up',
    settings.timeoutSeconds * 1000,
    250,
  );
}

/**
 * Open loop: subscription i's pair starts at i / rate seconds, whatever the earlier pairs are
 * doing; within a pair the second condition is sent once the first's 2xx is in.
 */
async function sendAtRate(baseUrl: string, publisher: string, subscriptions: BoughtSubscription[], rate: number): Promise<Sent[]> {
  // The wall clock, as PostgreSQL's recorded_at: performance.now()'s monotonic clock drifts from it
  // (5 ms a second on this machine, and steps when the wall clock is set).
  const now = () => Date.now();
  const activate = async (subscriptionId: string) => {
    const { status, text } = await httpPost(
      `${baseUrl}${SAAS}/${subscriptionId}/activate?${API_VERSION}`,
      { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      JSON.stringify({ planId: 'standard', quantity: SEATS }),
    );
    if (status !== 200) throw new Error(`activate ${subscriptionId}: ${status} ${text}`);
    return now();
  };
  const callback = async (subscriptionId: string) => {
    await assignLicenses(baseUrl, subscriptionId, SEATS);
    return now();
  };
  const start = now() + 20;
  const pairs: Promise<Sent>[] = [];
  for (const [i, { subscriptionId }] of subscriptions.entries()) {
    const dueAt = start + (i * 1000) / rate;
    const wait = dueAt - now();
    if (wait > 0) await sleep(wait);
    const order: Order = i % 2 === 0 ? 'activate-first' : 'callback-first';
    const startedAt = now();
    pairs.push(
      (async (): Promise<Sent> => {
        if (order === 'activate-first') {
          const activatedAt = await activate(subscriptionId);
          return { subscriptionId, order, dueAt, startedAt, activatedAt, callbackAcceptedAt: await callback(subscriptionId) };
        }
        const callbackAcceptedAt = await callback(subscriptionId);
        return { subscriptionId, order, dueAt, startedAt, callbackAcceptedAt, activatedAt: await activate(subscriptionId) };
      })(),
    );
  }
  return Promise.all(pairs);
}

/**
 * Waits for every one of `subscriptions` to have a BillingStarted and both queues to be idle; fails
 * unless each has exactly one and no job failed. Returns each one's recordedAt, epoch ms.
 */
async function allBilled(schema: string, subscriptions: BoughtSubscription[], queues: Record<string, Queue>): Promise<Map<string, number>> {
  const streams = subscriptions.map((s) => subscriptionStream(s.subscriptionId));
  // One connection for all the looks: a new one every 20 ms (a backend forked, a scan) took CPU from
  // the very drain it was timing, at the tail that makes the p99.
  return withClient(async (client) => {
    const read = async () => {
      const { rows } = await client.query<{ stream_id: string; count: string; recorded_at: number }>(
        `SELECT stream_id, count(*) AS count, (extract(epoch FROM min(recorded_at)) * 1000)::float8 AS recorded_at
           FROM ${schema}.events WHERE event_type = 'BillingStarted' AND stream_id = ANY($1) GROUP BY stream_id`,
        [streams],
      );
      return rows;
    };
    await until(read, (rows) => rows.length === streams.length, 'a BillingStarted for every subscription', settings.timeoutSeconds * 1000, 20);
    const idle = async () => {
      const counts = await Promise.all(Object.values(queues).map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed')));
      return counts.reduce((sum, c) => ({ busy: sum.busy + c.waiting + c.active + c.delayed + c.prioritized, failed: sum.failed + c.failed }), { busy: 0, failed: 0 });
    };
    const { failed } = await until(idle, (c) => c.busy === 0, 'the billing and callbacks queues to be idle', settings.timeoutSeconds * 1000, 50);
    if (failed > 0) throw new Error(`${failed} billing or callback jobs failed`);
    const rows = await read();
    const twice = rows.filter((r) => Number(r.count) !== 1);
    if (rows.length !== streams.length || twice.length > 0) {
      throw new Error(`${rows.length} of ${streams.length} subscriptions started billing; ${twice.length} more than once (${twice.map((r) => r.stream_id).slice(0, 5).join(', ')})`);
    }
    return new Map(rows.map((r) => [r.stream_id, Number(r.recorded_at)]));
  });
}

function summarise(rate: number, sent: Sent[], recorded: Map<string, number>, sliceMs: number, workerTicks: number | null, apiTicks: number | null): RateResult {
  const latency = (s: Sent) => recorded.get(subscriptionStream(s.subscriptionId))! - Math.max(s.activatedAt, s.callbackAcceptedAt);
  const of = (order: Order) => percentiles(sent.filter((s) => s.order === order).map(latency));
  const tickMs = 1000 / 100;
  const last = sent[sent.length - 1];
  return {
    rate,
    subscriptions: sent.length,
    sendLagMs: round(last.startedAt - last.dueAt, 1),
    latencyMs: percentiles(sent.map(latency)),
    byOrder: { 'activate-first': of('activate-first'), 'callback-first': of('callback-first') },
    activateMs: percentiles(sent.map((s) => s.activatedAt - (s.order === 'activate-first' ? s.startedAt : s.callbackAcceptedAt))),
    callbackMs: percentiles(sent.map((s) => s.callbackAcceptedAt - (s.order === 'callback-first' ? s.startedAt : s.activatedAt))),
    workerCpuMsPerSubscription: workerTicks === null ? null : round((workerTicks * tickMs) / sent.length, 2),
    workerCores: workerTicks === null ? null : round((workerTicks * tickMs) / sliceMs, 2),
    apiCores: apiTicks === null ? null : round((apiTicks * tickMs) / sliceMs, 2),
  };
}

/** User and system CPU of a child, in clock ticks (100 a second on Linux), from /proc. */
function cpuTicks(child: ChildProcess): number | null {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The lowest rate of the sweep whose p99 reaches the target, and the highest one below it that did not. */
function crossingOf(sweep: RateResult[]): { below: number | null; above: number | null; text: string } {
  const sorted = [...sweep].sort((a, b) => a.rate - b.rate);
  const firstOver = sorted.findIndex((r) => r.latencyMs.p99 >= TARGET_P99_MS);
  if (firstOver === -1) return { below: sorted.at(-1)?.rate ?? null, above: null, text: `not within the sweep: p99 < ${TARGET_P99_MS} ms up to ${sorted.at(-1)?.rate}/s` };
  const above = sorted[firstOver].rate;
  const below = firstOver === 0 ? null : sorted[firstOver - 1].rate;
  return { below, above, text: below === null ? `at or below ${above}/s, the sweep's lowest rate` : `between ${below}/s and ${above}/s` };
}

function printRate(r: RateResult): void {
  const p = (x: ReturnType<typeof percentiles>) => `p50 ${x.p50}  p90 ${x.p90}  p99 ${x.p99}  max ${x.max}`;
  console.log(
    `  ${String(r.rate).padStart(4)}/s  2xx → BillingStarted ms: ${p(r.latencyMs)}   (activate-first p99 ${r.byOrder['activate-first'].p99}, callback-first p99 ${r.byOrder['callback-first'].p99})`,
  );
  console.log(
    `          activate p99 ${r.activateMs.p99} ms, callback p99 ${r.callbackMs.p99} ms, send lag ${r.sendLagMs} ms; worker ${r.workerCores ?? '?'} cores (${r.workerCpuMsPerSubscription ?? '?'} ms CPU a subscription), api ${r.apiCores ?? '?'} cores`,
  );
}

runBench(main);
