/**
 * Partner command throughput over HTTP (PATCH rename) against raw appends to the same store, in
 * one run on a fresh schema. See bench/README.md for how to run it and what the figures mean.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { EventStore, NewEvent } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createApiApp } from '../../apps/api/src/api.app';
import { admin, countEvents, dropSchema, newSchemaName } from '../support/database';
import { deleteKeys } from '../support/redis';
import { LoadProcess } from '../support/load-process';
import { BoughtSubscription, buySubscriptions, login } from '../support/partner-api';
import { openProfiler } from '../support/profiler';
import { writeResults } from '../support/results';
import { runBench } from '../support/run';
import { trackInFlight, urlOf } from '../support/servers';
import { env, httpLoadSettings } from '../support/settings';
import { addCpu, cpuMs, percentiles, round } from '../support/stats';
import type { LoadRequest, LoadResult } from './http-load';

const settings = {
  // A command reads its whole stream, so its cost grows with the stream: many subscriptions keep them short.
  ...httpLoadSettings(),
  /** The same PATCH with every connection on one subscription; 0 skips it. */
  sameSubscriptionSeconds: env('BENCH_SAME_SUBSCRIPTION_DURATION', 3),
  /** When set, writes a .cpuprofile of the API process for each measured HTTP slice. */
  cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
  poolSize: process.env.BENCH_POOL_SIZE,
};
const TARGET_RATIO = 0.4;

async function main(): Promise<void> {
  const schema = newSchemaName();
  await admin(`CREATE SCHEMA ${schema}`);
  let interrupted = false;
  // The API closes itself on SIGINT (enableShutdownHooks); only the schema is left to us.
  process.once('SIGINT', () => {
    interrupted = true;
    void Promise.all([dropSchema(schema), deleteKeys([schema])]).finally(() => process.exit(130));
  });
  let app: NestFastifyApplication | null = null;
  let load: LoadProcess<LoadRequest, LoadResult> | null = null;
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
    const baseUrl = urlOf(app.getHttpServer());
    const store = app.get(EventStore);
    const server = trackInFlight(app.getHttpServer());
    load = new LoadProcess(join(__dirname, 'http-load.ts'));

    console.log(`schema ${schema}, pool ${config.DATABASE_POOL_SIZE}, ${settings.connections} connections, ${settings.subscriptions} subscriptions`);
    const token = await login(baseUrl);
    const subscriptions = await buySubscriptions(baseUrl, token, settings.subscriptions);
    const paths = subscriptions.map(pathOf);
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
    const profiler = settings.cpuProfile ? await openProfiler('commands') : null;
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
      same = await httpRun('same-subscription run', settings.sameSubscriptionSeconds, [pathOf(fresh)]);
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
      meanSubscriptionStreamLength: round((await countEvents(schema, { streams: subscriptions.map((s) => subscriptionStream(s.subscriptionId)) })) / paths.length, 1),
      cpuProfiles: profiles,
    };

    const file = writeResults('commands', at, results);

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
    await dropSchema(schema);
    await deleteKeys([schema]).catch((error: unknown) => console.error('deleting the Redis keys:', error));
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

function assertAllOk(label: string, result: LoadResult): void {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (result.ok === 0 || failed > 0) {
    throw new Error(
      `${label}: ${result.ok} ok, ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodes)}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts; first failure: ${result.firstFailure ?? 'none'}`,
    );
  }
}

/** The path a rename PATCHes. */
function pathOf({ customerId, subscriptionId }: BoughtSubscription): string {
  return `/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
}

runBench(main);
