/**
 * How consumers of the global log are woken: the reads an idle runner makes, and the time from an
 * append to its projection, on PostgreSQL and on EventStoreDB (the in-process stand-in). See
 * bench/README.md.
 */
import { AppConfig } from '@mfh/config';
import { createPgPool, EventStore, EventStoreDBEventStore, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { CatchUpRunner, LogConsumer, readModelMigrations } from '@mfh/read-models';
import { startEsdbStandIn } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { dropSchema, newSchemaName } from '../support/database';
import { writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { databaseUrl, env } from '../support/settings';
import { percentiles, round } from '../support/stats';

const positive = { positive: true };
const settings = {
  databaseUrl,
  consumers: Math.round(env('BENCH_CONSUMERS', 8, positive)),
  idleSeconds: env('BENCH_IDLE_SECONDS', 10, positive),
  appends: Math.round(env('BENCH_APPENDS', 200, positive)),
  /** Appends are spaced by a random gap up to this, so they fall anywhere in a poll interval. */
  maxGapMs: env('BENCH_MAX_GAP_MS', 100, positive),
  /** The worker's setting (PROJECTION_POLL_MS) unless overridden. */
  pollMs: env('BENCH_POLL_MS', new AppConfig().PROJECTION_POLL_MS, positive),
};

interface StoreResult {
  store: string;
  idleReadAlls: number;
  idleReadAllsPerMinute: number;
  /** From the append's acknowledgement to each consumer's handling of the event, in ms. */
  perConsumer: ReturnType<typeof percentiles>;
  /** From the acknowledgement to the last of the consumers, in ms. */
  allConsumers: ReturnType<typeof percentiles>;
}

/** The store with its readAll calls counted; every other call goes straight through. */
function counted(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'readAll') reads++;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, reads: () => reads };
}

async function measure(name: string, raw: EventStore, schema: string): Promise<StoreResult> {
  const pool = createPgPool({ url: settings.databaseUrl, schema, max: settings.consumers + 2, applicationName: 'mfh-bench-wakeups' });
  await runMigrations(pool, schema, 'read-models', readModelMigrations);
  const { store, reads } = counted(raw);
  const appendedAt = new Map<string, number>();
  const seen = new Map<string, number[]>();
  const probe = (i: number): LogConsumer => ({
    name: `${name}-probe-${i}`,
    handle: async (_client, events) => {
      const now = performance.now();
      for (const event of events) if (appendedAt.has(event.id)) seen.get(event.id)?.push(now);
    },
  });
  const runner = new CatchUpRunner(store, pool, Array.from({ length: settings.consumers }, (_, i) => probe(i)), { pollMs: settings.pollMs });
  try {
    runner.start();
    // Let every consumer reach the head (and a wake-up connection settle) before counting.
    await sleep(1_000);
    const before = reads();
    await sleep(settings.idleSeconds * 1_000);
    const idleReadAlls = reads() - before;

    const stream = `bench-wakeups-${randomUUID()}`;
    const latencies: number[] = [];
    const slowest: number[] = [];
    for (let i = 0; i < settings.appends; i++) {
      await sleep(Math.random() * settings.maxGapMs);
      const id = randomUUID();
      seen.set(id, []);
      // The key goes in first: the event can be handled before the append's answer arrives.
      appendedAt.set(id, Number.NaN);
      await store.appendToStream(stream, [{ id, type: 'BenchPinged', data: { i }, metadata: {} }]);
      appendedAt.set(id, performance.now());
    }
    const deadline = Date.now() + 30_000;
    while ([...seen.values()].some((times) => times.length < settings.consumers) && Date.now() < deadline) await sleep(20);
    for (const [id, times] of seen) {
      const at = appendedAt.get(id)!;
      // Handled before the acknowledgement came back counts as no delay.
      const delays = times.map((t) => Math.max(0, t - at));
      latencies.push(...delays);
      if (delays.length === settings.consumers) slowest.push(Math.max(...delays));
    }
    if (slowest.length < settings.appends) throw new Error(`${name}: only ${slowest.length} of ${settings.appends} appends reached every consumer`);
    return {
      store: name,
      idleReadAlls,
      idleReadAllsPerMinute: round((idleReadAlls * 60) / settings.idleSeconds, 1),
      perConsumer: percentiles(latencies),
      allConsumers: percentiles(slowest),
    };
  } finally {
    await runner.stop();
    await pool.end();
  }
}

async function main(): Promise<void> {
  const results: StoreResult[] = [];
  const startedAt = new Date().toISOString();

  const pgSchema = newSchemaName();
  const pg = await PostgresEventStore.connect({ url: settings.databaseUrl, schema: pgSchema, max: 4, applicationName: 'mfh-bench-wakeups' });
  try {
    results.push(await measure('postgres', pg, pgSchema));
  } finally {
    await pg.close();
    await dropSchema(pgSchema);
  }

  const esdbSchema = newSchemaName();
  const standIn = await startEsdbStandIn();
  const esdb = EventStoreDBEventStore.connect(standIn.url);
  try {
    results.push(await measure('eventstoredb-stand-in', esdb, esdbSchema));
  } finally {
    await esdb.close();
    await standIn.stop();
    await dropSchema(esdbSchema);
  }

  console.log(`${settings.consumers} consumers, poll ${settings.pollMs} ms, ${settings.idleSeconds} s idle, ${settings.appends} appends`);
  for (const r of results) {
    console.log(
      `${r.store.padEnd(22)} idle readAll: ${r.idleReadAlls} (${r.idleReadAllsPerMinute}/min)  ` +
        `append→consumer p50 ${r.perConsumer.p50} ms p99 ${r.perConsumer.p99} ms  ` +
        `append→all ${settings.consumers} p50 ${r.allConsumers.p50} ms p99 ${r.allConsumers.p99} ms`,
    );
  }
  console.log(`results: ${writeResults('wakeups', startedAt, { settings, results })}`);
}

runBench(main);
