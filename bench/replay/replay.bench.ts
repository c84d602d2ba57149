/**
 * A full projection rebuild and a verification of every hash chain, in events per second, against
 * raw paged reads of the same log in the same run. See bench/README.md.
 */
import { createPgPool, logPages, PostgresEventStore } from '@mfh/event-store';
import { rebuildProjections, RebuildReport, SubscriptionsRepository, verifyLog } from '@mfh/read-models';
import { admin, dropSchema, newSchemaName } from '../support/database';
import { writeResults } from '../support/results';
import { runBench } from '../support/run';
import { databaseUrl, env } from '../support/settings';
import { round } from '../support/stats';
import { generateLog } from './generate-log';

/** Every setting must be positive: none of them means anything at zero. */
const positive = { positive: true };
const settings = {
  databaseUrl,
  events: env('BENCH_EVENTS', 100_000, positive),
  rounds: Math.round(env('BENCH_ROUNDS', 3, positive)),
  /** The page size `projections rebuild` and `audit verify --all` read the log with. */
  pageSize: Math.round(env('BENCH_PAGE_SIZE', 5_000, positive)),
  /** Customers written at once while the log is generated. */
  writers: Math.round(env('BENCH_WRITERS', 16, positive)),
};
const TARGET_REBUILD_RATIO = 0.5;

type Side = 'raw' | 'verify' | 'rebuild';

interface Measured {
  events: number;
  ms: number;
}

async function main(): Promise<void> {
  const schema = newSchemaName();
  let closing = false;
  /** Ours, and those of an interrupted rebuild; once, whether on a signal or at the end. */
  const dropSchemas = async () => {
    if (closing) return;
    closing = true;
    await dropSchema(schema).catch((error: unknown) => console.error('dropping the schema:', error));
    // A rebuild interrupted by Ctrl-C leaves its own schema; the names start with ours.
    await admin(
      `DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '${schema}\\_%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP; END $$`,
    ).catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void dropSchemas().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
  }
  const store = await PostgresEventStore.connect({ url: settings.databaseUrl, schema, max: 4, applicationName: 'mfh-bench-replay' });
  const readModels = createPgPool({ url: settings.databaseUrl, schema, max: 2, applicationName: 'mfh-bench-replay' });
  try {
    await measure(store, schema, new SubscriptionsRepository(readModels));
  } finally {
    await readModels.end();
    await store.close();
    await dropSchemas();
  }
}

async function measure(store: PostgresEventStore, schema: string, subscriptions: SubscriptionsRepository): Promise<void> {
  console.log(`schema ${schema}: writing a log of at least ${settings.events} events`);
  const generatedAt = performance.now();
  let lastReport = 0;
  const log = await generateLog(store, settings.events, settings.writers, (events) => {
    if (events - lastReport >= 20_000) {
      lastReport = events;
      console.log(`  ${events} events`);
    }
  });
  const generateSeconds = (performance.now() - generatedAt) / 1000;
  console.log(`${log.events} events in ${log.streams} streams (${log.subscriptions} subscriptions), written in ${generateSeconds.toFixed(1)} s`);

  // The live read models, built the way the worker builds them: the first rebuild finds them empty,
  // brings them up to the head of the log with the worker's own consumer, compares, and swaps.
  console.log('live read models: incremental build, then a rebuild compared with it and swapped in');
  const first = await rebuildProjections({ store, url: settings.databaseUrl, schema, pageSize: settings.pageSize });
  assertIdentical(first);
  const incremental = first.checkpoints.reduce((sum, c) => sum + c.liveCaughtUp, 0);
  console.log(`  identical: ${first.tables.map((t) => `${t.table} ${t.rebuiltRows} rows`).join(', ')}; swapped: ${first.swapped}`);

  const sides: Record<Side, () => Promise<Measured>> = {
    raw: () => rawRead(store),
    verify: () => verifyAll(store, subscriptions),
    rebuild: async () => {
      const report = await rebuildProjections({ store, url: settings.databaseUrl, schema, pageSize: settings.pageSize, dryRun: true });
      assertIdentical(report);
      return { events: report.events, ms: report.buildMs };
    },
  };
  const totals: Record<Side, Measured & { perRound: number[] }> = {
    raw: { events: 0, ms: 0, perRound: [] },
    verify: { events: 0, ms: 0, perRound: [] },
    rebuild: { events: 0, ms: 0, perRound: [] },
  };
  const orders: Side[][] = [
    ['raw', 'verify', 'rebuild'],
    ['rebuild', 'raw', 'verify'],
    ['verify', 'rebuild', 'raw'],
  ];
  console.log(`measuring: ${settings.rounds} rounds, each side once per round, in rotating order`);
  for (let round = 0; round < settings.rounds; round++) {
    for (const side of orders[round % orders.length]) {
      const measured = await sides[side]();
      if (measured.events !== log.events) throw new Error(`${side} went over ${measured.events} events; the log holds ${log.events}`);
      totals[side].events += measured.events;
      totals[side].ms += measured.ms;
      totals[side].perRound.push(perSecond(measured));
    }
  }

  const raw = perSecond(totals.raw);
  const verify = perSecond(totals.verify);
  const rebuild = perSecond(totals.rebuild);
  const at = new Date().toISOString();
  const results = {
    benchmark: 'replay',
    at,
    node: process.version,
    settings,
    log: { ...log, generateSeconds: round(generateSeconds, 1) },
    rawReadEventsPerSecond: raw,
    verifyAllEventsPerSecond: verify,
    rebuildEventsPerSecond: rebuild,
    verifyRatio: round(verify / raw, 2),
    rebuildRatio: round(rebuild / raw, 2),
    target: { rebuildRatio: TARGET_REBUILD_RATIO },
    perRound: { raw: totals.raw.perRound, verify: totals.verify.perRound, rebuild: totals.rebuild.perRound },
    firstRebuild: {
      eventsAppliedIncrementally: incremental,
      tables: first.tables.map((t) => ({ table: t.table, rows: t.rebuiltRows, differences: t.differences })),
      lockedMs: first.lockedMs,
    },
  };
  const file = writeResults('replay', at, results);

  const ratio = rebuild / raw;
  console.log('');
  console.log(`raw reads        ${raw} events/s   (${totals.raw.perRound.join(', ')})`);
  console.log(`verify --all     ${verify} events/s   ratio ${(verify / raw).toFixed(2)}   (${totals.verify.perRound.join(', ')})`);
  console.log(
    `rebuild          ${rebuild} events/s   ratio ${ratio.toFixed(2)}   target ${TARGET_REBUILD_RATIO.toFixed(2)}: ${ratio >= TARGET_REBUILD_RATIO ? 'met' : 'NOT met'}   (${totals.rebuild.perRound.join(', ')})`,
  );
  console.log(`results          ${file}`);
}

/** The baseline: the same paged reads of the whole log that rebuild and verify make, doing nothing with them. */
async function rawRead(store: PostgresEventStore): Promise<Measured> {
  const started = performance.now();
  let events = 0;
  for await (const page of logPages(store, { after: null, pageSize: settings.pageSize })) events += page.length;
  return { events, ms: performance.now() - started };
}

/** What `audit verify --all` does: one pass over the log, every stream's chain recomputed as it goes by. */
async function verifyAll(store: PostgresEventStore, subscriptions: SubscriptionsRepository): Promise<Measured> {
  const started = performance.now();
  const { verifier, events } = await verifyLog(store, subscriptions, { pageSize: settings.pageSize });
  if (verifier.breaks.length > 0) throw new Error(`verify found broken chains: ${JSON.stringify(verifier.breaks.slice(0, 3))}`);
  return { events, ms: performance.now() - started };
}

function assertIdentical(report: RebuildReport): void {
  if (!report.identical) {
    throw new Error(`the rebuilt rows differ from the incrementally built ones: ${JSON.stringify(report.tables.filter((t) => t.differences > 0))}`);
  }
}

function perSecond({ events, ms }: Measured): number {
  return Math.round((events / ms) * 1000);
}

runBench(main);
