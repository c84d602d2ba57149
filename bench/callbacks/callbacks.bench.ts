/**
 * Signed publisher callbacks accepted per second by the api's receiver against a bare Fastify route
 * that queues the same job, in one run; then how fast the worker applies what the receiver queued.
 * See bench/README.md for how to run it and what the figures mean.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bullConnection, QUEUES } from '@mfh/messaging';
import { AppConfig, Catalog, loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { Queue } from 'bullmq';
import { join } from 'node:path';
import { createApiApp } from '../../apps/api/src/api.app';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { admin, countEvents, dropSchema, newSchemaName, withClient } from '../support/database';
import { deleteKeys } from '../support/redis';
import { LoadProcess } from '../support/load-process';
import { buySubscriptions, login } from '../support/partner-api';
import { openProfiler } from '../support/profiler';
import { writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { InFlight, trackInFlight, urlOf } from '../support/servers';
import { env, httpLoadSettings } from '../support/settings';
import { addCpu, cpuMs, percentiles, round } from '../support/stats';
import { BareReceiver, startBareReceiver } from './bare-receiver';
import type { LoadRequest, LoadResult } from './callback-load';

const settings = {
  // The callbacks take the subscriptions in turn; many more than connections keep each one's callbacks in signing order.
  ...httpLoadSettings(),
  /** How long the worker may take to apply everything the receiver queued. */
  drainTimeoutSeconds: env('BENCH_DRAIN_TIMEOUT', 300),
  /** When set, writes a .cpuprofile of the bench process for each measured slice, of either side. */
  cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
};
const TARGET_RATIO = 0.6;
const PUBLISHER = 'fabrikam';
/** How long a Ctrl-C waits for the Nest apps to close themselves before it drops their schema and keys anyway. */
const SHUTDOWN_WAIT_MS = 15_000;

type SideName = 'receiver' | 'bare';

/** One of the two things measured: where to send the callbacks, and where their jobs land. */
interface Side {
  name: SideName;
  baseUrl: string;
  inFlight: InFlight;
  queue: Queue;
}

/** One measured slice of one side. */
interface Slice {
  load: LoadResult;
  /** Jobs the side added to its queue during the slice. */
  queued: number;
  /** The bench process's CPU: the receivers, never the load generator. */
  cpu: NodeJS.CpuUsage;
}

class SideTotals {
  accepted = 0;
  requests = 0;
  queued = 0;
  seconds = 0;
  cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  loadCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  latenciesMs: number[] = [];
  statusCodes: Record<string, number> = {};
  perRound: number[] = [];

  add(slice: Slice): void {
    const { load } = slice;
    this.accepted += load.accepted;
    this.requests += load.requests;
    this.queued += slice.queued;
    this.seconds += load.durationSeconds;
    addCpu(this.cpu, slice.cpu);
    addCpu(this.loadCpu, load.cpu);
    for (const latency of load.latenciesMs) this.latenciesMs.push(latency);
    for (const [code, count] of Object.entries(load.statusCodes)) this.statusCodes[code] = (this.statusCodes[code] ?? 0) + count;
    this.perRound.push(Math.round(load.accepted / load.durationSeconds));
  }

  summary() {
    return {
      acceptedPerSecond: Math.round(this.accepted / this.seconds),
      latencyMs: percentiles(this.latenciesMs),
      requests: this.requests,
      accepted: this.accepted,
      statusCodes: this.statusCodes,
      jobsQueued: this.queued,
      seconds: round(this.seconds, 2),
      perRound: this.perRound,
      // The bench process, where both receivers run (the load generator runs elsewhere).
      cpuMsPerCallback: round(cpuMs(this.cpu) / this.accepted, 3),
      cpuCores: round(cpuMs(this.cpu) / 1000 / this.seconds, 2),
      cpuSystemShare: round(this.cpu.system / (this.cpu.user + this.cpu.system), 2),
      /** Close to 1 would mean the load generator, not the receiver, set the pace. */
      loadGeneratorCpuCores: round(cpuMs(this.loadCpu) / 1000 / this.seconds, 2),
    };
  }
}

async function main(): Promise<void> {
  if (settings.subscriptions <= settings.connections) {
    throw new Error('BENCH_SUBSCRIPTIONS must exceed BENCH_CONNECTIONS, so that two callbacks on one subscription are never in flight at once');
  }
  const schema = newSchemaName();
  const run = new BenchRun(schema, [schema, `${schema}-bare`]);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => run.onSignal(signal));
  try {
    await admin(`CREATE SCHEMA ${schema}`);
    await measure(run);
  } finally {
    await run.close();
  }
}

async function measure(run: BenchRun): Promise<void> {
  const [prefix, barePrefix] = run.prefixes;
  const config = loadConfig({
    DATABASE_URL: settings.databaseUrl,
    DATABASE_SCHEMA: run.schema,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const api = await run.startNest(() => createApiApp(config), (app) => (run.api = app));
  await api.listen({ port: 0, host: '127.0.0.1' });
  const receiverUrl = urlOf(api.getHttpServer());
  run.bare = await startBareReceiver(config, barePrefix);
  run.monitor = new Queue(QUEUES.callbacks, { connection: bullConnection(config), prefix });
  run.load = new LoadProcess(join(__dirname, 'callback-load.ts'));
  const secret = api.get(Catalog).publisher(PUBLISHER)?.callbackSigningSecret;
  if (!secret) throw new Error(`the catalog has no publisher ${PUBLISHER}`);

  console.log(`schema ${run.schema}, queue prefixes ${prefix} and ${barePrefix}, ${settings.connections} connections, ${settings.subscriptions} subscriptions`);
  const token = await login(receiverUrl);
  const subscriptionIds = (await buySubscriptions(receiverUrl, token, settings.subscriptions)).map((s) => s.subscriptionId);
  const sides: Record<SideName, Side> = {
    receiver: { name: 'receiver', baseUrl: receiverUrl, inFlight: trackInFlight(api.getHttpServer()), queue: run.monitor },
    bare: { name: 'bare', baseUrl: run.bare.baseUrl, inFlight: trackInFlight(run.bare.server.server), queue: run.bare.queue },
  };
  const load = run.load;
  const slice = async (side: Side, label: string, seconds: number): Promise<Slice> => {
    const before = await side.queue.getWaitingCount();
    const cpuBefore = process.cpuUsage();
    const result = await load.run({ baseUrl: side.baseUrl, publisherId: PUBLISHER, secret, subscriptionIds, connections: settings.connections, durationSeconds: seconds });
    // Requests cut off when autocannon stops still finish on the server; let them, before anything else runs.
    await side.inFlight.drained();
    const cpu = process.cpuUsage(cpuBefore);
    assertAllAccepted(`${label} (${side.name})`, result);
    const queued = (await side.queue.getWaitingCount()) - before;
    // Every 202 queued one job; requests cut off at the end may have queued one without being counted.
    if (queued < result.accepted || queued > result.accepted + settings.connections) {
      throw new Error(`${label} (${side.name}): ${result.accepted} callbacks answered 202 but ${queued} jobs were queued`);
    }
    return { load: result, queued, cpu };
  };

  if (settings.warmupSeconds > 0) {
    console.log(`warm-up: ${settings.warmupSeconds} s bare route, ${settings.warmupSeconds} s receiver`);
    await slice(sides.bare, 'warm-up', settings.warmupSeconds);
    await slice(sides.receiver, 'warm-up', settings.warmupSeconds);
  }

  // Alternating slices, each side first every other round, so that a neighbour's load on this
  // machine and any drift over the run fall on both sides alike.
  const seconds = settings.durationSeconds / settings.rounds;
  console.log(`measuring: ${settings.rounds} rounds of ${seconds} s on each side, alternating`);
  const totals: Record<SideName, SideTotals> = { receiver: new SideTotals(), bare: new SideTotals() };
  const profiler = settings.cpuProfile ? await openProfiler('callbacks') : null;
  const profiles: string[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order: SideName[] = round % 2 === 0 ? ['bare', 'receiver'] : ['receiver', 'bare'];
    for (const name of order) {
      await profiler?.start();
      totals[name].add(await slice(sides[name], `round ${round + 1}`, seconds));
      if (profiler) profiles.push(await profiler.stop(`${name}-round${round + 1}`));
    }
  }
  profiler?.close();

  const callbacks = await run.monitor.getWaitingCount();
  console.log(`end to end: the worker applies the ${callbacks} callbacks the receiver queued`);
  const applied = await applyAll(run, config, callbacks);

  const receiver = totals.receiver.summary();
  const bare = totals.bare.summary();
  const ratio = receiver.acceptedPerSecond / bare.acceptedPerSecond;
  const at = new Date().toISOString();
  const results = {
    benchmark: 'callbacks',
    at,
    node: process.version,
    settings,
    receiver,
    bare,
    ratio: round(ratio, 2),
    target: TARGET_RATIO,
    endToEnd: {
      ...applied,
      /** Events in a benchmarked subscription's stream at the end. */
      meanSubscriptionStreamLength: round((await countEvents(run.schema, { streams: subscriptionIds.map(subscriptionStream) })) / subscriptionIds.length, 1),
    },
    cpuProfiles: profiles,
  };

  const file = writeResults('callbacks', at, results);

  const e = results.endToEnd;
  console.log('');
  console.log(`receiver accepted/s  ${receiver.acceptedPerSecond}   p50 ${receiver.latencyMs.p50} ms, p99 ${receiver.latencyMs.p99} ms (${receiver.accepted} callbacks, ${receiver.cpuMsPerCallback} ms CPU each)`);
  console.log(`bare route accepted/s ${bare.acceptedPerSecond}   p50 ${bare.latencyMs.p50} ms, p99 ${bare.latencyMs.p99} ms (${bare.accepted} callbacks, ${bare.cpuMsPerCallback} ms CPU each)`);
  console.log(`ratio                ${ratio.toFixed(2)}   target ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
  console.log(`applied/s            ${e.appliedPerSecond}   end to end (${e.eventsAppended} PublisherActionRequired for ${e.callbacks} callbacks, once each; jobs completed/s ${e.jobsCompletedPerSecond}, ${e.failed} failed)`);
  for (const profile of profiles) console.log(`CPU profile          ${profile}`);
  console.log(`results              ${file}`);
}

/**
 * Starts the worker on the receiver's queue and waits until it has applied every callback; each
 * must have appended exactly one PublisherActionRequired, and none may have failed.
 */
async function applyAll(run: BenchRun, config: AppConfig, callbacks: number) {
  const queue = run.monitor!;
  if ((await countEvents(run.schema, { type: 'PublisherActionRequired' })) !== 0) throw new Error('callbacks were applied before the worker started');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run.startNest(() => createWorkerApp(config), (app) => (run.worker = app));
  const workerStartMs = performance.now() - started;
  const deadline = Date.now() + settings.drainTimeoutSeconds * 1000;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (counts.waiting + counts.active + counts.delayed + counts.prioritized === 0) break;
    if (Date.now() > deadline) throw new Error(`the worker did not apply the callbacks within ${settings.drainTimeoutSeconds} s: ${JSON.stringify(counts)}`);
    await sleep(100);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const drainSeconds = (performance.now() - started) / 1000;

  const { completed, failed } = await queue.getJobCounts('completed', 'failed');
  const events = await appliedEvents(run.schema);
  if (failed > 0 || completed !== callbacks || events.count !== callbacks || events.callbacks !== callbacks) {
    throw new Error(
      `end to end: ${callbacks} callbacks queued, ${completed} jobs completed, ${failed} failed, ` +
        `${events.count} PublisherActionRequired appended for ${events.callbacks} distinct callbacks (each must apply exactly once)`,
    );
  }
  // The queue's own times: from the first job taken to the last one finished.
  const [first] = await queue.getJobs(['completed'], 0, 0, true);
  const [last] = await queue.getJobs(['completed'], 0, 0, false);
  const jobSeconds = (last.finishedOn! - first.processedOn!) / 1000;
  return {
    appliedPerSecond: Math.round((events.count - 1) / events.seconds),
    jobsCompletedPerSecond: Math.round(completed / jobSeconds),
    callbacks,
    completed,
    failed,
    eventsAppended: events.count,
    workerStartMs: Math.round(workerStartMs),
    /** From starting the worker to an empty queue, start-up included. */
    drainSeconds: round(drainSeconds, 2),
    /** The bench process during the drain: the worker, and the api idling. */
    cpuMsPerCallback: round(cpuMs(cpu) / callbacks, 3),
    cpuCores: round(cpuMs(cpu) / 1000 / drainSeconds, 2),
  };
}

/**
 * What a run opens, closed in reverse at the end, and also on Ctrl-C: the schema and both queue
 * prefixes' Redis keys never outlive it.
 */
class BenchRun {
  api: NestFastifyApplication | null = null;
  worker: INestApplicationContext | null = null;
  bare: BareReceiver | null = null;
  load: LoadProcess<LoadRequest, LoadResult> | null = null;
  /** The receiver's callbacks queue, for counting its jobs. */
  monitor: Queue | null = null;
  private nestApps = 0;
  private raisedAgain = 0;
  private signalled = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly schema: string,
    readonly prefixes: string[],
  ) {}

  /** Nest apps close themselves on a signal (enableShutdownHooks); counting them tells when they all have. */
  async startNest<T extends INestApplicationContext>(start: () => Promise<T>, keep: (app: T) => void): Promise<T> {
    this.nestApps++;
    const app = await start();
    keep(app);
    return app;
  }

  close(): Promise<void> {
    // After a signal, onSignal closes everything and ends the process.
    if (this.signalled) return new Promise(() => undefined);
    return (this.closing ??= this.closeAll());
  }

  /**
   * Each Nest app closes itself on the signal and then raises it again, once closed, for a
   * listener like this one to see. Closing them here as well would end their pools twice, which
   * Nest answers with exit(1) before the schema is dropped; so this waits for them instead.
   */
  onSignal(signal: NodeJS.Signals): void {
    if (this.signalled) {
      this.raisedAgain++;
      return;
    }
    this.signalled = true;
    console.error(`${signal}: cleaning up`);
    void (this.closing ?? this.closeInterrupted()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  }

  private async closeAll(): Promise<void> {
    this.load?.close();
    await step('closing the worker', () => this.worker?.close());
    await step('closing the API', () => this.api?.close());
    await this.closeOwn();
    await this.forget();
  }

  private async closeInterrupted(): Promise<void> {
    this.load?.close();
    await this.closeOwn();
    const deadline = Date.now() + SHUTDOWN_WAIT_MS;
    while (this.raisedAgain < this.nestApps && Date.now() < deadline) await sleep(20);
    await this.forget();
  }

  private async closeOwn(): Promise<void> {
    await step('closing the bare receiver', () => this.bare?.close());
    await step('closing the monitor queue', () => this.monitor?.close());
  }

  /** Drops the schema and every Redis key under either prefix. */
  private async forget(): Promise<void> {
    await step('dropping the schema', () => dropSchema(this.schema));
    await step('deleting the Redis keys', () => deleteKeys(this.prefixes));
  }
}

/** One clean-up step; a failure is reported and the next step still runs. */
async function step(what: string, action: () => Promise<unknown> | undefined): Promise<void> {
  try {
    await action();
  } catch (error) {
    console.error(`${what}:`, error);
  }
}


function assertAllAccepted(label: string, result: LoadResult): void {
  if (result.accepted === 0 || result.accepted !== result.requests || result.errors + result.timeouts > 0) {
    throw new Error(
      `${label}: ${result.accepted} of ${result.requests} answered 202 ${JSON.stringify(result.statusCodes)}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts; first failure: ${result.firstFailure ?? 'none'}`,
    );
  }
}

/** The PublisherActionRequired events: how many, for how many distinct callbacks, over how long. */
function appliedEvents(schema: string): Promise<{ count: number; callbacks: number; seconds: number }> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ count: string; callbacks: string; seconds: number | null }>(
      `SELECT count(*), count(DISTINCT metadata->>'causationId') AS callbacks,
              extract(epoch FROM max(recorded_at) - min(recorded_at))::float8 AS seconds
         FROM ${schema}.events WHERE event_type = 'PublisherActionRequired'`,
    );
    return { count: Number(rows[0].count), callbacks: Number(rows[0].callbacks), seconds: rows[0].seconds ?? 0 };
  });
}

runBench(main);
