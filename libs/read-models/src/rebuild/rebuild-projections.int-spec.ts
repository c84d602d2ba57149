import { createPgPool, GlobalPosition, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { catchUpPast, createTestSchema, partnerScenario, TestSchema } from '@mfh/testing';
import type { Pool } from 'pg';
import { CatchUpRunner } from '../projections/catch-up-runner';
import { projectionConsumer } from '../projections/projection';
import { readModelMigrations } from '../projections/read-models.migrations';
import { readModelProjections } from '../read-model-projections';
import { RebuildInProgressError, rebuildProjections, RebuildSettings } from './rebuild-projections';

const TABLES = ['subscriptions', 'customers', 'orders'];

describe('rebuildProjections', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;
  let worker: CatchUpRunner;

  beforeAll(async () => {
    schema = await createTestSchema('rebuild');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 6 });
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 4 });
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
    worker = new CatchUpRunner(store, pool, readModelProjections.map(projectionConsumer), { batchSize: 50, pollMs: 5 });
  });

  afterAll(async () => {
    await worker.stop();
    await store.close();
    await pool.end();
    await schema.drop();
  });

  const rebuild = (settings: Partial<RebuildSettings> = {}) =>
    rebuildProjections({ store, url: schema.url, schema: schema.schema, pageSize: 37, ...settings });

  let last: GlobalPosition | null = null;

  /** A customer with an order of two subscriptions, the first renamed twice; returns the first subscription's id. */
  const scenario = async (): Promise<string> => {
    const written = await partnerScenario(store);
    last = written.last;
    return written.subscriptionIds[0];
  };

  /** The worker, caught up with everything the scenarios wrote. */
  const caughtUp = () => catchUpPast(worker, pool, readModelProjections.map((p) => p.name), last);

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const table of TABLES) result[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    return result;
  }

  const tableIds = async () =>
    (await pool.query<{ oid: string }>(`SELECT to_regclass(t)::oid::text AS oid FROM unnest($1::text[]) AS t`, [TABLES])).rows.map((r) => r.oid);

  const leftoverSchemas = async () =>
    (await pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname LIKE $1', [`${schema.schema}\\_rebuild\\_%`])).rows;

  it('rebuilds rows identical to the incremental ones, swaps them in, and the worker goes on projecting into them', async () => {
    for (let i = 0; i < 4; i++) await scenario();
    await caughtUp();
    const before = await snapshot();
    const oids = await tableIds();

    const report = await rebuild();

    expect(report.identical).toBe(true);
    expect(report.swapped).toBe(true);
    expect(report.events).toBe(Number((await pool.query('SELECT count(*) FROM events')).rows[0].count));
    expect(report.tables.map((t) => [t.table, t.liveRows, t.rebuiltRows, t.differences])).toEqual([
      ['subscriptions', 8, 8, 0],
      ['customers', 4, 4, 0],
      ['orders', 4, 4, 0],
      ['subscription_timers', 0, 0, 0],
      ['test_clocks', 0, 0, 0],
      ['invoices', 0, 0, 0],
      ['invoice_lines', 0, 0, 0],
    ]);
    expect(await snapshot()).toEqual(before);
    const swapped = await tableIds();
    swapped.forEach((oid, i) => expect(oid).not.toBe(oids[i]));
    expect(await leftoverSchemas()).toEqual([]);

    const next = await scenario();
    await caughtUp();
    const { rows } = await pool.query('SELECT friendly_name AS name FROM subscriptions WHERE id = $1', [next]);
    expect(rows).toEqual([{ name: 'Renamed twice' }]);
    expect((await rebuild({ dryRun: true })).identical).toBe(true);
  });

  it('gives the same result when run twice', async () => {
    await caughtUp();
    const first = await rebuild();
    const afterFirst = await snapshot();
    const second = await rebuild();
    expect(second.tables).toEqual(first.tables);
    expect(second.checkpoints).toEqual(first.checkpoints);
    expect(await snapshot()).toEqual(afterFirst);
  });

  it('reports a corrupted live row as a difference and does not swap, unless forced', async () => {
    const id = await scenario();
    await caughtUp();
    await pool.query("UPDATE subscriptions SET friendly_name = 'tampered' WHERE id = $1", [id]);
    const oids = await tableIds();

    const report = await rebuild();
    expect(report.identical).toBe(false);
    expect(report.swapped).toBe(false);
    const subscriptions = report.tables.find((t) => t.table === 'subscriptions')!;
    expect(subscriptions.differences).toBe(1);
    expect(subscriptions.samples).toHaveLength(1);
    expect(subscriptions.samples[0].key).toBe(id);
    expect((subscriptions.samples[0].live as any).friendly_name).toBe('tampered');
    expect((subscriptions.samples[0].rebuilt as any).friendly_name).toBe('Renamed twice');
    expect(await tableIds()).toEqual(oids);
    expect((await pool.query("SELECT count(*)::int AS n FROM subscriptions WHERE friendly_name = 'tampered'")).rows[0].n).toBe(1);

    const forced = await rebuild({ force: true, keepReplaced: true });
    expect(forced.swapped).toBe(true);
    expect(forced.replacedSchema).toMatch(/_replaced_\d+$/);
    expect((await pool.query("SELECT count(*)::int AS n FROM subscriptions WHERE friendly_name = 'tampered'")).rows[0].n).toBe(0);
    const kept = await pool.query(`SELECT friendly_name AS name FROM ${forced.replacedSchema}.subscriptions WHERE id = $1`, [id]);
    expect(kept.rows).toEqual([{ name: 'tampered' }]);
    await pool.query(`DROP SCHEMA ${forced.replacedSchema} CASCADE`);
  });

  it('catches the live tables up when the worker is behind, as the worker would', async () => {
    await caughtUp();
    await scenario();
    const report = await rebuild();
    expect(report.identical).toBe(true);
    expect(report.swapped).toBe(true);
    expect(report.checkpoints.every((c) => c.liveCaughtUp > 0 && c.rebuiltCaughtUp === 0)).toBe(true);
    expect(await worker.runBatch(projectionConsumer(readModelProjections[0]))).toBe(0);
  });

  it('meets a running worker at its checkpoint while commands keep coming', async () => {
    worker.start();
    let writing = true;
    const writer = (async () => {
      while (writing) await scenario();
    })();
    try {
      for (let i = 0; i < 3; i++) {
        const report = await rebuild({ pageSize: 11 });
        expect(report.tables.filter((t) => t.differences > 0)).toEqual([]);
        expect(report.swapped).toBe(true);
      }
    } finally {
      writing = false;
      await writer;
      await worker.stop();
    }
    await caughtUp();
    const report = await rebuild({ dryRun: true });
    expect(report.identical).toBe(true);
    // The fresh tables were built after the worker caught up, so they never trail it. The live side
    // may still have a few events to apply: a transaction of another test file running in parallel
    // holds back what readAll may show, and it can let go between the worker's catch-up and the rebuild.
    expect(report.checkpoints.every((c) => c.rebuiltCaughtUp === 0)).toBe(true);
  });

  it('refuses to run twice at once on the same schema', async () => {
    const results = await Promise.allSettled([rebuild({ dryRun: true }), rebuild({ dryRun: true })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(RebuildInProgressError);
    expect(await leftoverSchemas()).toEqual([]);
  });
});
