/**
 * Partner command throughput over HTTP (PATCH rename) against raw appends to the same store, in
 * one run on a fresh schema. See bench/README.md for how to run it and what the figures mean.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { EventStore, NewEvent } from '@mfh/event-store';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Client } from 'pg';
import { createApiApp } from '../../apps/api/src/api.app';
import type { LoadRequest, LoadResult } from './http-load';

const env = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number, got ${value}`);
  return parsed;
};

const settings = {
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  connections: env('BENCH_CONNECTIONS', 32),
  /** A command reads its whole stream, so its cost grows with the stream: many subscriptions keep them short. */
  subscriptions: env('BENCH_SUBSCRIPTIONS', 1024),
  warmupSeconds: env('BENCH_WARMUP', 2),
  /** Measured seconds on each side, split into alternating rounds. */
  durationSeconds: env('BENCH_DURATION', 10),
  rounds: Math.max(1, Math.round(env('BENCH_ROUNDS', 5))),
  /** The same PATCH with every connection on one subscription; 0 skips it. */
  sameSubscriptionSeconds: env('BENCH_SAME_SUBSCRIPTION_DURATION', 3),
  /** When set, writes a .cpuprofile of the API process for each measured HTTP slice. */
  cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
  poolSize: process.env.BENCH_POOL_SIZE,
};
const TARGET_RATIO = 0.4;
const LINES_PER_ORDER = 16;
const resultsDir = resolve(__dirname, '../results');

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const dropSchema = () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  let interrupted = false;
  // The API closes itself on SIGINT (enableShutdownHooks); only the schema is left to us.
  process.once('SIGINT', () => {
    interrupted = true;
    void dropSchema().finally(() => process.exit(130));
  });
  let app: NestFastifyApplication | null = null;
  let load: LoadProcess | null = null;
  try {
    const config = loadConfig({
      DATABASE_URL: settings.databaseUrl,
      DATABASE_SCHEMA: schema,
      REDIS_URL: settings.redisUrl,
      QUEUE_PREFIX: schema,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...(settings.poolSize ? { DATABASE_POOL_SIZE: settings.poolSize } : {}),
    });
    app = await createApiApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (!address || typeof address !== 'object') throw new Error('the API is not listening on a TCP port');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    const store = app.get(EventStore);
    const server = trackInFlight(app.getHttpServer());
    load = new LoadProcess();

    console.log(`schema ${schema}, pool ${config.DATABASE_POOL_SIZE}, ${settings.connections} connections, ${settings.subscriptions} subscriptions`);
    const token = await login(baseUrl);
    const paths = await buySubscriptions(baseUrl, token, settings.subscriptions);
    const request = (seconds: number, onlyPaths = paths): LoadRequest => ({
      baseUrl,
      token,
      paths: onlyPaths,
      connections: settings.connections,
      durationSeconds: seconds,
    });
    const httpRun = async (label: string, seconds: number, onlyPaths = paths): Promise<LoadResult> => {
      const result = await load!.run(request(seconds, onlyPaths));
      // Requests cut off when autocannon stops still finish on the server; let them, before anything else runs.
      await server.drained();
      assertAllOk(label, result);
      return result;
    };

    if (settings.warmupSeconds > 0) {
      console.log(`warm-up: ${settings.warmupSeconds} s raw, ${settings.warmupSeconds} s HTTP`);
      await rawAppends(store, settings.connections, settings.warmupSeconds);
      await httpRun('warm-up', settings.warmupSeconds);
    }

    // Alternating slices, so that a neighbour's load on this machine falls on both sides alike.
    const slice = settings.durationSeconds / settings.rounds;
    console.log(`measuring: ${settings.rounds} rounds of ${slice} s raw appends then ${slice} s HTTP commands`);
    const raw = { appends: 0, seconds: 0, cpu: { user: 0, system: 0 }, latenciesMs: [] as number[] };
    const http = { ok: 0, requests: 0, seconds: 0, cpu: { user: 0, system: 0 }, appended: 0, latenciesMs: [] as number[], statusCodes: {} as Record<string, number> };
    const profiler = settings.cpuProfile ? await openProfiler() : null;
    const profiles: string[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      let cpu = process.cpuUsage();
      const slicedRaw = await rawAppends(store, settings.connections, slice);
      addCpu(raw.cpu, process.cpuUsage(cpu));
      raw.appends += slicedRaw.appends;
      raw.seconds += slicedRaw.seconds;
      raw.latenciesMs.push(...slicedRaw.latenciesMs);

      const eventsBefore = await countEvents(schema);
      await profiler?.start();
      cpu = process.cpuUsage();
      const sliced = await httpRun(`HTTP round ${round + 1}`, slice);
      addCpu(http.cpu, process.cpuUsage(cpu));
      if (profiler) profiles.push(await profiler.stop(`round${round + 1}`));
      const appended = (await countEvents(schema)) - eventsBefore;
      // Every 200 appended one event; requests cut off at the end may have appended without being counted.
      if (appended < sliced.ok || appended > sliced.ok + settings.connections) {
        throw new Error(`HTTP round ${round + 1}: ${sliced.ok} renames answered 2xx but ${appended} events were appended`);
      }
      http.ok += sliced.ok;
      http.requests += sliced.requests;
      http.seconds += sliced.durationSeconds;
      http.appended += appended;
      http.latenciesMs.push(...sliced.latenciesMs);
      for (const [code, count] of Object.entries(sliced.statusCodes)) http.statusCodes[code] = (http.statusCodes[code] ?? 0) + count;
    }
    profiler?.close();

    let same: LoadResult | null = null;
    if (settings.sameSubscriptionSeconds > 0) {
      console.log(`same subscription: ${settings.sameSubscriptionSeconds} s, every connection on one new subscription`);
      const [fresh] = await buySubscriptions(baseUrl, token, 1);
      same = await httpRun('same-subscription run', settings.sameSubscriptionSeconds, [fresh]);
    }

    const commandsPerSecond = Math.round(http.ok / http.seconds);
    const appendsPerSecond = Math.round(raw.appends / raw.seconds);
    const ratio = commandsPerSecond / appendsPerSecond;
    const at = new Date().toISOString();
    const results = {
      benchmark: 'commands',
      at,
      node: process.version,
      settings: { ...settings, poolSize: config.DATABASE_POOL_SIZE },
      http: {
        commandsPerSecond,
        latencyMs: percentiles(http.latenciesMs),
        requests: http.requests,
        ok: http.ok,
        statusCodes: http.statusCodes,
        eventsAppended: http.appended,
        seconds: round(http.seconds, 2),
        // The API process (the load generator runs elsewhere): CPU per command, cores busy, kernel share.
        apiCpuMsPerCommand: round(cpuMs(http.cpu) / http.ok, 3),
        apiCpuCores: round(cpuMs(http.cpu) / 1000 / http.seconds, 2),
        apiCpuSystemShare: round(http.cpu.system / (http.cpu.user + http.cpu.system), 2),
      },
      raw: {
        appendsPerSecond,
        latencyMs: percentiles(raw.latenciesMs),
        appends: raw.appends,
        seconds: round(raw.seconds, 2),
        cpuMsPerAppend: round(cpuMs(raw.cpu) / raw.appends, 3),
        cpuCores: round(cpuMs(raw.cpu) / 1000 / raw.seconds, 2),
        cpuSystemShare: round(raw.cpu.system / (raw.cpu.user + raw.cpu.system), 2),
      },
      ratio: round(ratio, 2),
      target: TARGET_RATIO,
      sameSubscription: same && {
        commandsPerSecond: Math.round(same.ok / same.durationSeconds),
        latencyMs: percentiles(same.latenciesMs),
        ok: same.ok,
        seconds: same.durationSeconds,
      },
      eventsInStore: await countEvents(schema),
      /** Events in a benchmarked subscription's stream at the end: what the last commands had to read. */
      meanSubscriptionStreamLength: round((await countEvents(schema, paths.map(streamOf))) / paths.length, 1),
      cpuProfiles: profiles,
    };

    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `commands-${stamp(at)}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

    const { http: h, raw: r } = results;
    console.log('');
    console.log(`HTTP commands/s   ${commandsPerSecond}   p50 ${h.latencyMs.p50} ms, p99 ${h.latencyMs.p99} ms (${h.ok} renames, API ${h.apiCpuMsPerCommand} ms CPU each)`);
    console.log(`raw appends/s     ${appendsPerSecond}   p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (${r.appends} appends, ${r.cpuMsPerAppend} ms CPU each)`);
    console.log(`ratio             ${ratio.toFixed(2)}   target ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
    if (results.sameSubscription) {
      const { commandsPerSecond: perSecond, latencyMs } = results.sameSubscription;
      console.log(`same subscription ${perSecond} commands/s   p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms`);
    }
    for (const profile of profiles) console.log(`CPU profile       ${profile}`);
    console.log(`results           ${file}`);
  } finally {
    load?.close();
    if (!interrupted) await app?.close().catch((error: unknown) => console.error('closing the API:', error));
    await dropSchema();
  }
}

/** What a rename command writes, minus HTTP, auth, reading the stream and deciding: one event at the exact revision. */
async function rawAppends(store: EventStore, loops: number, seconds: number) {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let appends = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      const stream = subscriptionStream(randomUUID());
      let revision = -1;
      let previous = 'Fabrikam CRM';
      while (performance.now() < deadline) {
        const friendlyName = `bench ${appends + 1}`;
        const event: NewEvent = {
          id: randomUUID(),
          type: 'SubscriptionRenamed',
          data: { friendlyName, previousFriendlyName: previous },
          metadata: {
            actor: 'contoso-partner',
            role: 'partner',
            source: 'Partner',
            correlationId: randomUUID(),
            causationId: randomUUID(),
            requestId: randomUUID(),
            occurredAt: new Date().toISOString(),
          },
        };
        const begun = performance.now();
        const result = await store.appendToStream(stream, [event], { expectedRevision: revision === -1 ? 'no_stream' : revision });
        latenciesMs.push(performance.now() - begun);
        revision = result.nextExpectedRevision;
        previous = friendlyName;
        appends++;
      }
    }),
  );
  return { appends, seconds: (performance.now() - started) / 1000, latenciesMs };
}

async function login(baseUrl: string): Promise<string> {
  const body = await post(baseUrl, '/oauth2/token', null, {
    grant_type: 'client_credentials',
    client_id: 'contoso-partner',
    client_secret: 'contoso-secret',
  });
  return (body as { access_token: string }).access_token;
}

/** Customers with one order each, of up to 16 lines: one subscription per line. */
async function buySubscriptions(baseUrl: string, token: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  while (paths.length < count) {
    const lines = Math.min(LINES_PER_ORDER, count - paths.length);
    const customer = (await post(baseUrl, '/v1/customers', token, { companyName: 'Adatum Corporation', domain: 'adatum.com' })) as { id: string };
    const order = (await post(baseUrl, `/v1/customers/${customer.id}/orders`, token, {
      lineItems: Array.from({ length: lines }, (_, i) => ({
        offerId: 'fabrikam-crm',
        planId: 'standard',
        quantity: 5,
        termDuration: 'P1M',
        billingCycle: 'monthly',
        friendlyName: `seat block ${i + 1}`,
      })),
    })) as { lineItems: { subscriptionId: string }[] };
    for (const line of order.lineItems) paths.push(`/v1/customers/${customer.id}/subscriptions/${line.subscriptionId}`);
  }
  return paths;
}

async function post(baseUrl: string, path: string, token: string | null, body: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

function assertAllOk(label: string, result: LoadResult): void {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (result.ok === 0 || failed > 0) {
    throw new Error(
      `${label}: ${result.ok} ok, ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodes)}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts; first failure: ${result.firstFailure ?? 'none'}`,
    );
  }
}

/** The autocannon child process, driven over IPC. */
class LoadProcess {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    // Only the TypeScript loader: a --cpu-prof or --inspect of the parent must not follow it.
    this.child = fork(join(__dirname, 'http-load.ts'), [], { execArgv: ['-r', '@swc-node/register'] });
    this.child.on('message', (message: { id: number; result?: LoadResult; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited with ${code}`));
      this.pending.clear();
    });
  }

  run(request: LoadRequest): Promise<LoadResult> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request });
    });
  }

  close(): void {
    this.child.kill();
  }
}

/** CPU profiles of the API process, one per HTTP slice (the load generator runs elsewhere). */
async function openProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  const started = stamp(new Date().toISOString());
  return {
    start: () => session.post('Profiler.start'),
    async stop(label: string): Promise<string> {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `commands-${started}-${label}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
    close: () => session.disconnect(),
  };
}

/** Counts the API's open requests, to wait for those a stopped load generator left behind. */
function trackInFlight(server: Server) {
  let open = 0;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open++;
    response.once('close', () => open--);
  });
  return {
    async drained(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (open > 0) {
        if (Date.now() > deadline) throw new Error(`${open} requests still open after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

function streamOf(path: string): string {
  return subscriptionStream(path.slice(path.lastIndexOf('/') + 1));
}

function percentiles(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)], 1));
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

function stamp(iso: string): string {
  return iso.replace(/[:.]/g, '-');
}

async function countEvents(schema: string, streams?: string[]): Promise<number> {
  const client = new Client({ connectionString: settings.databaseUrl });
  await client.connect();
  try {
    const { rows } = streams
      ? await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events WHERE stream_id = ANY($1)`, [streams])
      : await client.query<{ count: string }>(`SELECT count(*) FROM ${schema}.events`);
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: settings.databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

function addCpu(total: NodeJS.CpuUsage, delta: NodeJS.CpuUsage): void {
  total.user += delta.user;
  total.system += delta.system;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
