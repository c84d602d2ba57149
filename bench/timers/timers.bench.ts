/**
 * Renewal timers fired per second by a test clock advance over many subscriptions, against raw
 * appends of as many renewal-like events (one per stream, same concurrency) in the same run, and the
 * time from the advance's 202 until the clock reads `ready`. See bench/README.md.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogFollowers } from '@mfh/application';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { comparePositions, EventStore, GlobalPosition, NewEvent, parsePosition, PostgresEventStore } from '@mfh/event-store';
import { bullConnection, QUEUES } from '@mfh/messaging';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApiApp } from '../../apps/api/src/api.app';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { admin, dropSchema, newSchemaName, withClient } from '../support/database';
import { LoadProcess } from '../support/load-process';
import { accessToken } from '../support/partner-api';
import { openProfiler, Profiler } from '../support/profiler';
import { openQueryCensus, QueryCount } from '../support/query-census';
import { deleteKeys } from '../support/redis';
import { writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { urlOf } from '../support/servers';
import { databaseUrl, env, redisUrl } from '../support/settings';
import { cpuMs, percentiles, round } from '../support/stats';
import type { SinkRequest, SinkResult } from './notification-sink';
import { seedSubscriptions } from './seed';

const positive = { positive: true };
const settings = {
  databaseUrl,
  redisUrl,
  subscriptions: Math.round(env('BENCH_SUBSCRIPTIONS', 10_000, positive)),
  /** Advances (one month each), alternating with as many raw slices. */
  rounds: Math.round(env('BENCH_ROUNDS', 3, positive)),
  /** 1: every term ends the same day, so an advance has one due instant; up to 28: the terms end on that many days. */
  dueDays: Math.round(env('BENCH_DUE_DAYS', 1, positive)),
  /** Customers written at once while the subscriptions are seeded. */
  writers: Math.round(env('BENCH_WRITERS', 16, positive)),
  /** 0: the publisher has no notification URL, so renewals queue no notification. */
  notifications: process.env.BENCH_NOTIFICATIONS !== '0',
  /** How long set-up, an advance or the notifications after it may take. */
  timeoutSeconds: env('BENCH_TIMEOUT', 900, positive),
  /** When set, writes a .cpuprofile of the bench process (api and worker) for each advance. */
  cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
  /** When set, counts the bench process's PostgreSQL queries by statement during each advance. */
  queryCensus: process.env.BENCH_QUERY_CENSUS === '1',
};
/** The advance fires this many timers of one due instant at once (RunTestClockAdvanceHandler); the raw side appends as many at once. */
const CONCURRENCY = 32;
const TARGET_RATIO = 0.3;
/** Where the clock starts; the terms start the same day (or the days after it, BENCH_DUE_DAYS). */
const START = Date.UTC(2027, 0, 1);
const DAY_MS = 86_400_000;
/** How often the bench asks the API whether the clock is ready. */
const POLL_MS = 20;

type SideName = 'timers' | 'raw';

async function main(): Promise<void> {
  if (settings.dueDays > 28) throw new Error('BENCH_DUE_DAYS must be at most 28, so that every term ends inside the month an advance covers');
  const run = new BenchRun(newSchemaName());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => run.onSignal(signal));
  try {
    await admin(`CREATE SCHEMA ${run.schema}`);
    await measure(run);
  } finally {
    await run.close();
  }
}

async function measure(run: BenchRun): Promise<void> {
  const { schema } = run;
  let catalogFile: string | undefined;
  if (settings.notifications) {
    run.sink = new LoadProcess(join(__dirname, 'notification-sink.ts'));
    const { url } = (await run.sink.run({ op: 'start' })) as { url: string };
    run.tempDir = mkdtempSync(join(tmpdir(), 'mfh-bench-timers-'));
    catalogFile = notifyingCatalog(run.tempDir, url);
  }
  const config = loadConfig({
    DATABASE_URL: settings.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: schema,
    PORT: '0',
    LOG_LEVEL: 'silent',
    SANDBOX: 'true',
    ...(catalogFile ? { CATALOG_FILE: catalogFile } : {}),
  });
  const api = await run.startNest(() => createApiApp(config), (app) => (run.api = app));
  await api.listen({ port: 0, host: '127.0.0.1' });
  const http = new AdminApi(urlOf(api.getHttpServer()), await accessToken(urlOf(api.getHttpServer()), 'admin', 'admin-secret'));
  const worker = await run.startNest(() => createWorkerApp(config), (app) => (run.worker = app));
  const followers = worker.get(LogFollowers, { strict: false });
  run.queues = Object.values(QUEUES).map((name) => new Queue(name, { connection: bullConnection(config), prefix: schema }));
  const system = new System(schema, followers, run.queues, run.sink);

  console.log(
    `schema ${schema}: ${settings.subscriptions} subscriptions on one test clock, terms ending on ${settings.dueDays} day(s), ` +
      `notifications ${settings.notifications ? 'to a local sink' : 'off'}`,
  );
  const clock = (await http.call('POST', '/v1/admin/test-clocks', 201, { name: 'bench:timers', frozenTime: new Date(START).toISOString() })) as { id: string };
  const setUpAt = performance.now();
  const subscriptionIds: string[] = [];
  for (let day = 0; day < settings.dueDays; day++) {
    const clockTime = new Date(START + day * DAY_MS).toISOString();
    if (day > 0) await http.advance(clock.id, clockTime, settings.timeoutSeconds);
    const count = Math.floor(settings.subscriptions / settings.dueDays) + (day < settings.subscriptions % settings.dueDays ? 1 : 0);
    subscriptionIds.push(...(await seedSubscriptions(api.get(EventStore), { testClockId: clock.id, clockTime, subscriptions: count, writers: settings.writers })));
    // The worker bills each one at the clock's time, which sets its renewal timer.
    await system.settled(() => system.pendingRenewals(clock.id), subscriptionIds.length, settings.timeoutSeconds);
  }
  const setUpSeconds = (performance.now() - setUpAt) / 1000;
  console.log(`set-up: ${subscriptionIds.length} subscriptions billed by the worker, a pending renewal timer each (${setUpSeconds.toFixed(1)} s)`);

  // The baseline's own store and schema: the worker follows nothing there, and none of its events reach a projection.
  run.rawStore = await PostgresEventStore.connect({ url: settings.databaseUrl, schema: run.rawSchema, max: config.DATABASE_POOL_SIZE, applicationName: 'mfh-bench-timers' });
  const rawStreams = await seedRawStreams(run.rawStore, settings.subscriptions);
  // Fresh statistics on both sides: plans made while a table was nearly empty (the raw one was moments ago) would slow one side only.
  await analyze([run.rawSchema, schema]);

  const profiler = settings.cpuProfile ? await openProfiler('timers') : null;
  const totals = { timers: new Totals(), raw: new Totals() };
  const advances: AdvanceResult[] = [];
  const rawRounds: RawResult[] = [];
  const firstDue = START + (settings.dueDays - 1) * DAY_MS;
  console.log(`measuring: ${settings.rounds} round(s), each a one-month advance and ${settings.subscriptions} raw appends, alternating`);
  for (let index = 0; index < settings.rounds; index++) {
    const order: SideName[] = index % 2 === 0 ? ['raw', 'timers'] : ['timers', 'raw'];
    for (const side of order) {
      if (side === 'raw') {
        const raw = await rawRound(run.schema, run.rawSchema, run.rawStore, rawStreams, index);
        rawRounds.push(raw);
        totals.raw.add(raw.appended, raw.spreadMs);
        console.log(`  round ${index + 1} raw: ${raw.appendsPerSecond} appends/s`);
      } else {
        const target = new Date(monthsLater(firstDue, index + 1)).toISOString();
        const advance = await advanceRound(http, system, clock.id, target, index, profiler);
        advances.push(advance);
        totals.timers.add(advance.renewed, advance.phasesMs.firing);
        console.log(`  round ${index + 1} advance to ${target}: ${advance.firedPerSecond} fired/s, ready ${advance.timeToReadyMs} ms after the 202`);
      }
    }
  }
  profiler?.close();

  const check = await verifyAll(schema, clock.id, subscriptionIds, settings.rounds);
  const timers = totals.timers.perSecond();
  const raw = totals.raw.perSecond();
  const ratio = timers / raw;
  const endToEnd = Math.round((advances.reduce((sum, a) => sum + a.renewed, 0) / advances.reduce((sum, a) => sum + a.timeToReadyMs, 0)) * 1000);
  const at = new Date().toISOString();
  const results = {
    benchmark: 'timers',
    at,
    node: process.version,
    cores: cpus().length,
    settings: { ...settings, concurrency: CONCURRENCY, poolSize: config.DATABASE_POOL_SIZE },
    setUpSeconds: round(setUpSeconds, 1),
    timers: {
      firedPerSecond: timers,
      perRound: advances.map((a) => a.firedPerSecond),
      timeToReadyMs: percentiles(advances.map((a) => a.timeToReadyMs)),
      /** Renewals over the whole 202 → ready, effects included: what a user of the sandbox waits for. */
      endToEndPerSecond: endToEnd,
      endToEndRatio: round(endToEnd / raw, 2),
      advances,
    },
    raw: {
      appendsPerSecond: raw,
      perRound: rawRounds.map((r) => r.appendsPerSecond),
      rounds: rawRounds,
    },
    ratio: round(ratio, 2),
    target: TARGET_RATIO,
    check,
  };
  const file = writeResults('timers', at, results);

  const ready = advances.map((a) => a.timeToReadyMs);
  console.log('');
  console.log(`timers fired/s     ${timers}   (${advances.map((a) => a.firedPerSecond).join(', ')}; ${settings.subscriptions} renewals per advance)`);
  console.log(`raw appends/s      ${raw}   (${rawRounds.map((r) => r.appendsPerSecond).join(', ')})`);
  console.log(`ratio              ${ratio.toFixed(2)}   target ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
  console.log(`202 → ready        ${ready.join(' ms, ')} ms: ${endToEnd} renewals/s end to end, ${(endToEnd / raw).toFixed(2)} of raw`);
  for (const a of advances) {
    const p = a.phasesMs;
    console.log(
      `  round ${a.round}: pick-up ${p.pickUp} ms, firing ${p.firing} ms, effects after the last ${p.settle} ms, seen ready ${p.seenReady} ms later; ` +
        `bench process ${a.processCpuCores} cores, machine ${a.machineCpuCores} of ${cpus().length}; notifications delivered ${a.notificationsDeliveredMs ?? '-'} ms after the 202`,
    );
    const slowest = Object.entries(a.followersDoneMs).slice(0, 4);
    if (a.dueInstants > 1) {
      const i = a.perInstantMs;
      console.log(`    ${a.dueInstants} due instants: ${i.firing} ms appending their renewals (${i.firedPerSecondWithinInstants}/s), ${i.waiting} ms waiting between them`);
    }
    console.log(`    followers done after the last renewal: ${slowest.map(([name, ms]) => `${name} ${ms ?? '?'} ms`).join(', ')}, …`);
    for (const q of a.queries?.slice(0, 12) ?? []) console.log(`    ${String(q.count).padStart(7)} × ${q.meanMs.toFixed(2).padStart(6)} ms  ${q.statement}`);
  }
  console.log(`checked            ${check.renewals} SubscriptionRenewed, ${check.perSubscription} per subscription, none twice; every renewal timer fired once`);
  for (const a of advances) if (a.cpuProfile) console.log(`CPU profile        ${a.cpuProfile}`);
  console.log(`results            ${file}`);
}

/** ANALYZE every table of the schemas, and only theirs. */
function analyze(schemas: readonly string[]): Promise<void> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ name: string }>("SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)", [schemas]);
    for (const { name } of rows) await client.query(`ANALYZE ${name}`);
  });
}

/** The development catalog with Fabrikam notified at the sink. */
function notifyingCatalog(dir: string, notificationUrl: string): string {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '../../config/catalog.development.json'), 'utf8'));
  catalog.publishers.find((p: { id: string }) => p.id === 'fabrikam').notificationUrl = notificationUrl;
  const file = join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

/** The same day of the month, `months` later. */
function monthsLater(time: number, months: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate());
}

interface AdvanceResult {
  round: number;
  target: string;
  renewed: number;
  /** What the advance job reported it fired. */
  firedByJob: number | null;
  firedPerSecond: number;
  timeToReadyMs: number;
  /** From the log's own times: TestClockAdvanceStarted, the first and last renewal, TestClockAdvanced; then the bench's poll. */
  phasesMs: { pickUp: number; firing: number; settle: number; seenReady: number };
  dueInstants: number;
  /** Summed over the due instants: the spans in which their renewals were appended, and the waits between (each instant's effects, then finding the next). */
  perInstantMs: { firing: number; waiting: number; firedPerSecondWithinInstants: number };
  /** How far the wall clock moved beyond the monotonic one from the 202 to ready: 0 unless it was stepped. */
  wallClockStepMs: number;
  /** When each follower of the log had handled the last renewal, in ms after it was recorded (sampled every FOLLOWER_SAMPLE_MS). */
  followersDoneMs: Record<string, number | null>;
  renewNotificationsQueued: number;
  notificationsDeliveredMs: number | null;
  processCpuCores: number;
  processCpuMsPerTimer: number;
  machineCpuCores: number;
  cpuProfile: string | null;
  /** BENCH_QUERY_CENSUS: the queries the api and worker sent from the 202 until ready, most frequent first. */
  queries: QueryCount[] | null;
}

/** One advance of a month: every renewal due in it fires, then the clock reads `ready`. */
async function advanceRound(http: AdminApi, system: System, testClockId: string, target: string, index: number, profiler: Profiler | null): Promise<AdvanceResult> {
  const before = await system.head();
  const notificationsBefore = await system.renewNotifications();
  const sinkBefore = await system.sinkCount();
  await profiler?.start();
  const machine = machineCpu();
  const watch = await FollowerWatch.start(system.schema);
  const census = settings.queryCensus ? openQueryCensus() : null;
  const cpu = process.cpuUsage();
  const accepted = await http.requestAdvance(testClockId, target);
  const acceptedWall = Date.now();
  await http.waitReady(testClockId, target, settings.timeoutSeconds);
  const readyAt = performance.now();
  // The phases come from the database's wall clock; a step of that clock mid-advance would skew them.
  const wallClockStepMs = Math.round(Date.now() - acceptedWall - (readyAt - accepted));
  const processCpu = process.cpuUsage(cpu);
  const machineCores = machine();
  const queries = census?.close() ?? null;
  const samples = await watch.stop();
  const cpuProfile = profiler ? await profiler.stop(`advance-round${index + 1}`) : null;
  const timeToReadyMs = Math.round(readyAt - accepted);

  // The notifications the renewals queued are still being delivered; nothing else may run meanwhile.
  await system.settled(async () => (await system.sinkCount()) - sinkBefore, settings.notifications ? settings.subscriptions : 0, settings.timeoutSeconds);
  const notificationsDeliveredMs = settings.notifications ? Math.round(performance.now() - accepted) : null;

  const log = await system.advanceLog(before);
  if (log.renewals !== settings.subscriptions || log.streams !== settings.subscriptions) {
    throw new Error(`advance to ${target}: ${log.renewals} SubscriptionRenewed on ${log.streams} subscriptions; expected one on each of ${settings.subscriptions}`);
  }
  const queued = (await system.renewNotifications()) - notificationsBefore;
  if (settings.notifications && queued !== settings.subscriptions) throw new Error(`advance to ${target}: ${queued} Renew notifications queued for ${settings.subscriptions} renewals`);
  const firedByJob = await system.firedByJob(log.startedEventId);
  if (firedByJob !== null && firedByJob !== settings.subscriptions) throw new Error(`advance to ${target}: the job fired ${firedByJob} timers`);
  return {
    round: index + 1,
    target,
    renewed: log.renewals,
    firedByJob,
    firedPerSecond: Math.round(((log.renewals - 1) / log.firingMs) * 1000),
    timeToReadyMs,
    phasesMs: {
      pickUp: Math.round(log.firstRenewalAt - log.startedAt),
      firing: Math.round(log.firingMs),
      settle: Math.round(log.advancedAt - log.lastRenewalAt),
      // Two clocks (the database's, the bench's monotonic one): a few ms either way.
      seenReady: Math.max(0, Math.round(timeToReadyMs - (log.advancedAt - log.startedAt))),
    },
    dueInstants: log.instants,
    perInstantMs: log.perInstant,
    wallClockStepMs,
    followersDoneMs: followersDone(samples, log.lastRenewal, log.lastRenewalAt),
    renewNotificationsQueued: queued,
    notificationsDeliveredMs,
    processCpuCores: round(cpuMs(processCpu) / timeToReadyMs, 2),
    processCpuMsPerTimer: round(cpuMs(processCpu) / log.renewals, 3),
    machineCpuCores: round(machineCores, 2),
    cpuProfile,
    queries: queries && queries.slice(0, 30),
  };
}

interface RawResult {
  round: number;
  appended: number;
  appendsPerSecond: number;
  /** The same figure timed in the bench rather than from the events' recorded_at. */
  appendsPerSecondWallClock: number;
  spreadMs: number;
  latencyMs: ReturnType<typeof percentiles>;
  processCpuMsPerAppend: number;
}

/** The baseline's streams: one event each, so that every measured append goes on an existing stream at its exact revision, as a renewal does. */
async function seedRawStreams(store: EventStore, count: number): Promise<string[]> {
  const streams = Array.from({ length: count }, () => subscriptionStream(randomUUID()));
  await inParallel(streams, CONCURRENCY, (stream) => store.appendToStream(stream, [rawEvent('SubscriptionPurchased', 0)], { expectedRevision: 'no_stream' }).then(() => undefined));
  return streams;
}

/**
 * What a fired timer writes, minus the advance, the command bus, reading the stream and deciding:
 * one SubscriptionRenewed-like event on each stream at its exact revision, CONCURRENCY at a time.
 */
async function rawRound(schema: string, rawSchema: string, store: EventStore, streams: readonly string[], index: number): Promise<RawResult> {
  const latenciesMs: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inParallel(streams, CONCURRENCY, async (stream) => {
    const begun = performance.now();
    await store.appendToStream(stream, [rawEvent('SubscriptionRenewed', index + 1)], { expectedRevision: index });
    latenciesMs.push(performance.now() - begun);
  });
  const wallMs = performance.now() - started;
  const processCpu = process.cpuUsage(cpu);
  const { count, spreadMs } = await withClient(async (client) => {
    const { rows } = await client.query<{ count: string; spread_ms: number }>(
      `SELECT count(*), extract(epoch FROM max(recorded_at) - min(recorded_at))::float8 * 1000 AS spread_ms
         FROM ${rawSchema}.events WHERE event_type = 'SubscriptionRenewed' AND stream_revision = $1`,
      [index + 1],
    );
    return { count: Number(rows[0].count), spreadMs: rows[0].spread_ms };
  });
  if (count !== streams.length) throw new Error(`raw round ${index + 1}: ${count} events appended for ${streams.length} streams (schema ${schema})`);
  return {
    round: index + 1,
    appended: count,
    appendsPerSecond: Math.round(((count - 1) / spreadMs) * 1000),
    appendsPerSecondWallClock: Math.round((count / wallMs) * 1000),
    spreadMs: Math.round(spreadMs),
    latencyMs: percentiles(latenciesMs),
    processCpuMsPerAppend: round(cpuMs(processCpu) / count, 3),
  };
}

function rawEvent(type: string, term: number): NewEvent {
  const termStart = new Date(monthsLater(START, term)).toISOString().slice(0, 10);
  const renewedAt = `${termStart}T00:00:00.000Z`;
  const requestId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data: { operationId: randomUUID(), termStart, termEnd: termStart, quantity: 5, chargedAmount: '60.00', renewedAt },
    metadata: {
      actor: 'test-clock',
      role: 'system',
      source: 'System',
      correlationId: requestId,
      causationId: randomUUID(),
      requestId,
      occurredAt: renewedAt,
      testClockId: randomUUID(),
    },
  };
}

/** Runs `work` for every item, `lanes` at a time. */
async function inParallel<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Per second, summed over rounds: events over the seconds their first and last were recorded apart. */
class Totals {
  private events = 0;
  private intervals = 0;
  private ms = 0;

  add(events: number, spreadMs: number): void {
    this.events += events;
    this.intervals += events - 1;
    this.ms += spreadMs;
  }

  perSecond(): number {
    return Math.round((this.intervals / this.ms) * 1000);
  }
}

/**
 * Splits the advance at its TestClockTimeReached events: in each instant, from its first renewal to
 * its last, then from there to the next instant (or TestClockAdvanced). All in the database's ms.
 */
function perInstant(reached: readonly number[], advancedAt: number, renewals: readonly number[]) {
  let firing = 0;
  let waiting = 0;
  let next = 0;
  reached.forEach((_reachedAt, index) => {
    const end = reached[index + 1] ?? advancedAt;
    const first = next;
    while (next < renewals.length && renewals[next] < end) next++;
    if (next === first) return;
    firing += renewals[next - 1] - renewals[first];
    waiting += end - renewals[next - 1];
  });
  return { firing: Math.round(firing), waiting: Math.round(waiting), firedPerSecondWithinInstants: Math.round(((renewals.length - reached.length) / firing) * 1000) };
}

/** How often FollowerWatch reads the checkpoints. */
const FOLLOWER_SAMPLE_MS = 100;

interface CheckpointSample {
  at: number;
  name: string;
  position: GlobalPosition | null;
}

/** Reads every follower's checkpoint on a connection of its own while an advance runs, to tell afterwards which of them it waited for. */
class FollowerWatch {
  private readonly samples: CheckpointSample[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  private constructor(
    private readonly client: Client,
    schema: string,
  ) {
    this.done = this.loop(schema);
  }

  static async start(schema: string): Promise<FollowerWatch> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new FollowerWatch(client, schema);
  }

  async stop(): Promise<CheckpointSample[]> {
    this.stopped = true;
    await this.done;
    await this.client.end();
    return this.samples;
  }

  /** Samples until stopped, and once more then: the clock is ready, so every follower is past the last renewal by that sample. */
  private async loop(schema: string): Promise<void> {
    for (;;) {
      const last = this.stopped;
      // The database's clock, as the events' recorded_at, read with the checkpoints.
      const { rows } = await this.client.query<{ name: string; position: string; at: number }>(
        `SELECT name, position, extract(epoch FROM clock_timestamp())::float8 * 1000 AS at FROM ${schema}.projection_checkpoints`,
      );
      for (const row of rows) this.samples.push({ at: row.at, name: row.name, position: parsePosition(row.position) });
      if (last) return;
      await sleep(FOLLOWER_SAMPLE_MS);
    }
  }
}

/** For each follower, how long after `lastAt` its checkpoint was first seen at or past `last`; null: never during the watch. */
function followersDone(samples: readonly CheckpointSample[], last: GlobalPosition, lastAt: number): Record<string, number | null> {
  const done = new Map<string, number | null>();
  for (const sample of samples) {
    if (!done.has(sample.name)) done.set(sample.name, null);
    if (done.get(sample.name) === null && sample.position !== null && comparePositions(sample.position, last) >= 0) done.set(sample.name, Math.max(0, Math.round(sample.at - lastAt)));
  }
  return Object.fromEntries([...done].sort((a, b) => (b[1] ?? Infinity) - (a[1] ?? Infinity)));
}

/** Busy cores of the whole machine (every process, PostgreSQL included) between the call and the call of what it returns. */
function machineCpu(): () => number {
  const sample = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  };
  const first = sample();
  return () => {
    const last = sample();
    return ((last.busy - first.busy) / (last.total - first.total)) * cpus().length;
  };
}

/** The admin's side of the API: test clocks. */
class AdminApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  /** Asks for the advance; resolves when the 202 is in, at that moment's performance.now(). */
  async requestAdvance(testClockId: string, frozenTime: string): Promise<number> {
    await this.call('POST', `/v1/admin/test-clocks/${testClockId}/advance`, 202, { frozenTime });
    return performance.now();
  }

  async waitReady(testClockId: string, frozenTime: string, timeoutSeconds: number): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const clock = (await this.call('GET', `/v1/admin/test-clocks/${testClockId}`, 200)) as { status: string; frozenTime: string };
      if (clock.status === 'ready' && Date.parse(clock.frozenTime) === Date.parse(frozenTime)) return;
      if (Date.now() > deadline) throw new Error(`the test clock was not ready at ${frozenTime} within ${timeoutSeconds} s: ${JSON.stringify(clock)}`);
      await sleep(POLL_MS);
    }
  }

  async advance(testClockId: string, frozenTime: string, timeoutSeconds: number): Promise<void> {
    await this.requestAdvance(testClockId, frozenTime);
    await this.waitReady(testClockId, frozenTime, timeoutSeconds);
  }
}

/** What the bench reads of the system under test: its log, read models and queues. */
class System {
  constructor(
    readonly schema: string,
    private readonly followers: LogFollowers,
    private readonly queues: readonly Queue[],
    private readonly sink: LoadProcess<SinkRequest, SinkResult> | null,
  ) {}

  /**
   * Waits until `count()` is `expected`, every follower of the log has caught up, and no queue holds
   * a job that is waiting, running or delayed: nothing left that could run into what is measured next.
   */
  async settled(count: () => Promise<number>, expected: number, timeoutSeconds: number): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      await this.followers.catchUp();
      const busy = await this.busyJobs();
      const counted = await count();
      if (busy === 0 && counted === expected) {
        // Jobs may have appended events after the followers caught up; they must have caught up on those too.
        await this.followers.catchUp();
        if ((await this.busyJobs()) === 0) return;
      }
      if (counted > expected) throw new Error(`${counted} where ${expected} were expected`);
      if (Date.now() > deadline) throw new Error(`not settled within ${timeoutSeconds} s: ${counted} of ${expected}, ${busy} jobs queued or running`);
      await sleep(100);
    }
  }

  private async busyJobs(): Promise<number> {
    let busy = 0;
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      busy += Object.values(counts).reduce((sum, n) => sum + n, 0);
      const { failed } = await queue.getJobCounts('failed');
      if (failed > 0) throw new Error(`${failed} jobs failed on queue ${queue.name}`);
    }
    return busy;
  }

  pendingRenewals(testClockId: string): Promise<number> {
    return this.scalar(
      `SELECT count(*) AS value FROM ${this.schema}.subscription_timers s, jsonb_array_elements(s.timers) t
        WHERE s.test_clock_id = $1 AND t->>'kind' = 'renewal' AND t->>'state' = 'pending'`,
      [testClockId],
    );
  }

  renewNotifications(): Promise<number> {
    return this.scalar(`SELECT count(*) AS value FROM ${this.schema}.notification_deliveries WHERE event_type = 'SubscriptionRenewed'`);
  }

  async sinkCount(): Promise<number> {
    if (!this.sink) return 0;
    return ((await this.sink.run({ op: 'count' })) as { received: number }).received;
  }

  head(): Promise<number> {
    return this.scalar(`SELECT coalesce(max(global_position), 0) AS value FROM ${this.schema}.events`);
  }

  /** What the advance appended after `position`: its renewals and the clock's own events, with their recorded times in ms. */
  advanceLog(position: number) {
    return withClient(async (client) => {
      const epochMs = (column: string) => `extract(epoch FROM ${column})::float8 * 1000`;
      const { rows: [renewals] } = await client.query<{ count: string; streams: string; first: number; last: number }>(
        `SELECT count(*), count(DISTINCT stream_id) AS streams, ${epochMs('min(recorded_at)')} AS first, ${epochMs('max(recorded_at)')} AS last
           FROM ${this.schema}.events WHERE event_type = 'SubscriptionRenewed' AND global_position > $1`,
        [position],
      );
      // Last in the order the followers read the log in.
      const { rows: [last] } = await client.query<{ transaction_id: string; global_position: string }>(
        `SELECT transaction_id::text, global_position FROM ${this.schema}.events WHERE event_type = 'SubscriptionRenewed' AND global_position > $1
          ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
        [position],
      );
      const { rows: clock } = await client.query<{ event_id: string; event_type: string; at: number }>(
        `SELECT event_id, event_type, ${epochMs('recorded_at')} AS at FROM ${this.schema}.events
          WHERE stream_id LIKE 'test-clock-%' AND global_position > $1 ORDER BY global_position`,
        [position],
      );
      const started = clock.find((e) => e.event_type === 'TestClockAdvanceStarted');
      const advanced = clock.find((e) => e.event_type === 'TestClockAdvanced');
      if (!started || !advanced) throw new Error(`the advance left no ${started ? 'TestClockAdvanced' : 'TestClockAdvanceStarted'} in the log`);
      return {
        renewals: Number(renewals.count),
        streams: Number(renewals.streams),
        firstRenewalAt: renewals.first,
        lastRenewalAt: renewals.last,
        firingMs: renewals.last - renewals.first,
        lastRenewal: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) } as GlobalPosition,
        startedEventId: started.event_id,
        startedAt: started.at,
        advancedAt: advanced.at,
        instants: clock.filter((e) => e.event_type === 'TestClockTimeReached').length,
        perInstant: perInstant(
          clock.filter((e) => e.event_type === 'TestClockTimeReached').map((e) => e.at),
          advanced.at,
          (await client.query<{ at: number }>(
            `SELECT ${epochMs('recorded_at')} AS at FROM ${this.schema}.events WHERE event_type = 'SubscriptionRenewed' AND global_position > $1 ORDER BY recorded_at`,
            [position],
          )).rows.map((r) => r.at),
        ),
      };
    });
  }

  /** What the advance's job returned (AdvanceRun.fired); null if BullMQ no longer has the job. */
  async firedByJob(startedEventId: string): Promise<number | null> {
    const queue = this.queues.find((q) => q.name === QUEUES.testClocks)!;
    const job = await queue.getJob(startedEventId);
    return (job?.returnvalue as { fired?: number } | undefined)?.fired ?? null;
  }

  /** The one value the query selects `AS value`. */
  private scalar(sql: string, values: unknown[] = []): Promise<number> {
    return withClient(async (client) => Number((await client.query<{ value: string }>(sql, values)).rows[0].value));
  }
}

/**
 * After every advance: exactly `rounds` SubscriptionRenewed on each subscription, none twice (one per
 * term), each decided at its due time on the clock, and each subscription's renewal timers all fired
 * but the next term's.
 */
async function verifyAll(schema: string, testClockId: string, subscriptionIds: readonly string[], rounds: number) {
  return withClient(async (client) => {
    const { rows: [events] } = await client.query<{ renewals: string; terms: string; ids: string; streams: string; min: string; max: string; off_clock: string; expired: string }>(
      `WITH renewed AS (SELECT * FROM ${schema}.events WHERE event_type = 'SubscriptionRenewed'),
            per_stream AS (SELECT stream_id, count(*) AS n FROM renewed GROUP BY stream_id)
       SELECT (SELECT count(*) FROM renewed) AS renewals,
              (SELECT count(DISTINCT (stream_id, data->>'termStart')) FROM renewed) AS terms,
              (SELECT count(DISTINCT event_id) FROM renewed) AS ids,
              (SELECT count(*) FROM per_stream) AS streams,
              (SELECT min(n) FROM per_stream) AS min, (SELECT max(n) FROM per_stream) AS max,
              (SELECT count(*) FROM renewed WHERE metadata->>'testClockId' IS DISTINCT FROM $1
                  OR metadata->>'occurredAt' IS DISTINCT FROM data->>'renewedAt'
                  OR data->>'renewedAt' IS DISTINCT FROM (data->>'termStart') || 'T00:00:00.000Z') AS off_clock,
              (SELECT count(*) FROM ${schema}.events WHERE event_type = 'SubscriptionExpired') AS expired`,
      [testClockId],
    );
    const { rows: [timers] } = await client.query<{ rows: string; min_fired: number; max_fired: number; min_pending: number; max_pending: number }>(
      `WITH per AS (
         SELECT s.id, count(*) FILTER (WHERE t->>'state' = 'fired') AS fired, count(*) FILTER (WHERE t->>'state' = 'pending') AS pending
           FROM ${schema}.subscription_timers s, jsonb_array_elements(s.timers) t
          WHERE s.test_clock_id = $1 AND t->>'kind' = 'renewal' GROUP BY s.id)
       SELECT count(*) AS rows, min(fired)::int AS min_fired, max(fired)::int AS max_fired, min(pending)::int AS min_pending, max(pending)::int AS max_pending FROM per`,
      [testClockId],
    );
    const n = subscriptionIds.length;
    const check = {
      renewals: Number(events.renewals),
      distinctTerms: Number(events.terms),
      distinctEventIds: Number(events.ids),
      subscriptionsRenewed: Number(events.streams),
      perSubscription: Number(events.min) === Number(events.max) ? Number(events.min) : `${events.min}–${events.max}`,
      notAtDueTimeOnTheClock: Number(events.off_clock),
      expired: Number(events.expired),
      timerRows: Number(timers.rows),
      firedTimersPerSubscription: timers.min_fired === timers.max_fired ? timers.min_fired : `${timers.min_fired}–${timers.max_fired}`,
      pendingTimersPerSubscription: timers.min_pending === timers.max_pending ? timers.min_pending : `${timers.min_pending}–${timers.max_pending}`,
    };
    const expected = {
      renewals: n * rounds,
      distinctTerms: n * rounds,
      distinctEventIds: n * rounds,
      subscriptionsRenewed: n,
      perSubscription: rounds,
      notAtDueTimeOnTheClock: 0,
      expired: 0,
      timerRows: n,
      firedTimersPerSubscription: rounds,
      pendingTimersPerSubscription: 1,
    };
    const wrong = (Object.keys(expected) as (keyof typeof expected)[]).filter((key) => check[key] !== expected[key]);
    if (wrong.length > 0) throw new Error(`the log is not what the advances should have left: ${wrong.map((k) => `${k} ${check[k]}, expected ${expected[k]}`).join('; ')}`);
    return check;
  });
}

/**
 * What a run opens, closed in reverse at the end, and also on Ctrl-C: neither schema, nor the Redis
 * keys, nor the catalog file outlive it.
 */
class BenchRun {
  api: NestFastifyApplication | null = null;
  worker: INestApplicationContext | null = null;
  rawStore: PostgresEventStore | null = null;
  sink: LoadProcess<SinkRequest, SinkResult> | null = null;
  queues: Queue[] = [];
  tempDir: string | null = null;
  readonly rawSchema: string;
  private nestApps = 0;
  private raisedAgain = 0;
  private signalled = false;
  private closing: Promise<void> | null = null;

  constructor(readonly schema: string) {
    this.rawSchema = `${schema}_raw`;
  }

  async startNest<T extends INestApplicationContext>(start: () => Promise<T>, keep: (app: T) => void): Promise<T> {
    this.nestApps++;
    const app = await start();
    keep(app);
    return app;
  }

  close(): Promise<void> {
    if (this.signalled) return new Promise(() => undefined);
    return (this.closing ??= this.closeAll());
  }

  /** The Nest apps close themselves on the signal and raise it again once closed; this waits for them, then forgets the rest. */
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
    await this.closeOwn();
    await step('closing the worker', () => this.worker?.close());
    await step('closing the API', () => this.api?.close());
    await this.forget();
  }

  private async closeInterrupted(): Promise<void> {
    await this.closeOwn();
    const deadline = Date.now() + 15_000;
    while (this.raisedAgain < this.nestApps && Date.now() < deadline) await sleep(20);
    await this.forget();
  }

  private async closeOwn(): Promise<void> {
    this.sink?.close();
    await step('closing the queues', () => Promise.all(this.queues.map((queue) => queue.close())));
    await step('closing the raw store', () => this.rawStore?.close());
  }

  private async forget(): Promise<void> {
    await step('dropping the schemas', () => Promise.all([dropSchema(this.schema), dropSchema(this.rawSchema)]));
    await step('deleting the Redis keys', () => deleteKeys([this.schema]));
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
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

runBench(main);
