import {
  assertIdentifier,
  compareCheckpoints,
  createPgPool,
  EventStore,
  formatPosition,
  GlobalPosition,
  logPages,
  parsePosition,
  RecordedEvent,
  runMigrations,
} from '@mfh/event-store';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import { foldBatch, keyOfEvent, Projection, projectionConsumer, ProjectionRow } from '../projections/projection';
import { readModelMigrations } from '../projections/read-models.migrations';
import { readModelProjections } from '../read-model-projections';
import { compareTable, TableComparison } from './compare-tables';
import { EVERY_SUBSCRIPTION, termChargesChannel } from '../subscriptions/term-charges-cache';

export interface RebuildSettings {
  store: EventStore;
  /** The read-model database and schema: the apps' DATABASE_URL and DATABASE_SCHEMA. */
  url: string;
  schema: string;
  /** Default: every read model ({@link readModelProjections}). */
  projections?: readonly Projection[];
  /** Build and compare, then throw the fresh tables away. */
  dryRun?: boolean;
  /** Swap even when rows differ (the log is the truth; the live rows are what is wrong). */
  force?: boolean;
  /** Move the replaced tables to `<schema>_replaced_<n>` instead of dropping them. */
  keepReplaced?: boolean;
  /** Events per read of the log. Default 5,000. */
  pageSize?: number;
  /** Differing rows reported per table. Default 5. */
  sampleSize?: number;
  /** How long the swap may wait for readers of the live tables. Default 10 s. */
  lockTimeoutMs?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export type RebuildPhase = 'build' | 'catch-up' | 'compare' | 'swap';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** Events applied to the fresh tables so far. */
  events: number;
}

/** Where a projection stood when the two sides were compared, and what each side needed to get there. */
export interface ProjectionCheckpoint {
  projection: string;
  /** `formatPosition` of the last event both sides had applied; null before the first event. */
  position: string | null;
  /** Events the fresh tables applied under the lock to reach the live checkpoint. */
  rebuiltCaughtUp: number;
  /** Events applied to the live tables (as the worker would have) when the fresh ones were ahead. */
  liveCaughtUp: number;
}

export interface RebuildReport {
  /** The schema the fresh tables were built in (dropped at the end either way). */
  rebuildSchema: string;
  /** Events read from the log and applied while building, before the lock. */
  events: number;
  buildMs: number;
  eventsPerSecond: number;
  checkpoints: ProjectionCheckpoint[];
  tables: TableComparison[];
  identical: boolean;
  swapped: boolean;
  /** Where the replaced tables were kept; null when they were dropped or nothing was swapped. */
  replacedSchema: string | null;
  /** How long the live checkpoints were locked, i.e. the projections paused. */
  lockedMs: number;
}

export class RebuildInProgressError extends Error {
  constructor(schema: string) {
    super(`Another rebuild of the read models in schema ${schema} is running`);
    this.name = 'RebuildInProgressError';
  }
}

const DEFAULT_PAGE_SIZE = 5_000;

/**
 * Rebuilds every read model from the log into fresh tables (a schema of their own, migrated like the
 * live one), compares them with the live, incrementally built tables at the same log position, and
 * swaps them in. The comparison and the swap happen in one transaction that holds the live
 * projections' checkpoint rows: the worker's projection batches wait on those rows, so nothing moves
 * the live tables meanwhile, and readers see either the old tables or the new ones, never a mix.
 */
export async function rebuildProjections(settings: RebuildSettings): Promise<RebuildReport> {
  const schema = assertIdentifier(settings.schema);
  const projections = settings.projections ?? readModelProjections;
  const pageSize = settings.pageSize ?? DEFAULT_PAGE_SIZE;
  const live = createPgPool({ url: settings.url, schema, max: 2, applicationName: 'mfh-projections-rebuild' });
  const session = await live.connect();
  let rebuild: Pool | null = null;
  let rebuildSchema: string | null = null;
  let locked = false;
  try {
    const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockName(schema)]);
    locked = rows[0].ok;
    if (!locked) throw new RebuildInProgressError(schema);
    await runMigrations(live, schema, 'read-models', readModelMigrations);

    const n = await nextRebuildNumber(session, schema);
    rebuildSchema = `${schemaBase(schema)}_rebuild_${n}`;
    rebuild = createPgPool({ url: settings.url, schema: rebuildSchema, max: projections.length, applicationName: 'mfh-projections-rebuild' });
    // Nothing reads the fresh tables before the swap, whose own commit flushes the log up to it.
    rebuild.on('connect', (client) => void client.query('SET synchronous_commit TO off').catch(() => undefined));
    await runMigrations(rebuild, rebuildSchema, 'read-models', readModelMigrations);

    const fresh = new FreshTables(settings.store, rebuild, projections, pageSize);
    const started = performance.now();
    await fresh.build((events) => settings.onProgress?.({ phase: 'build', events }));
    const buildMs = performance.now() - started;

    const outcome = await compareAndSwap(settings, live, fresh, {
      schema,
      rebuildSchema,
      replacedSchema: `${schemaBase(schema)}_replaced_${n}`,
      pageSize,
    });
    return {
      rebuildSchema,
      events: fresh.built,
      buildMs: Math.round(buildMs),
      eventsPerSecond: buildMs > 0 ? Math.round((fresh.built / buildMs) * 1000) : 0,
      ...outcome,
    };
  } finally {
    await rebuild?.end();
    if (rebuildSchema) await session.query(`DROP SCHEMA IF EXISTS ${rebuildSchema} CASCADE`).catch(() => undefined);
    if (locked) await session.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName(schema)]).catch(() => undefined);
    session.release();
    await live.end();
  }
}

/** The fresh tables, and how far each projection in them has got. */
class FreshTables {
  readonly positions = new Map<string, GlobalPosition | null>();
  /** Keys each projection has saved: the only rows worth loading. */
  private readonly saved = new Map<string, Set<string>>();
  built = 0;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly projections: readonly Projection[],
    private readonly pageSize: number,
  ) {
    for (const projection of projections) {
      this.positions.set(projection.name, null);
      this.saved.set(projection.name, new Set());
    }
  }

  /** One pass over the log up to its head; each page goes to every projection at once, each on its own connection. */
  async build(onPage: (events: number) => void): Promise<void> {
    for await (const page of logPages(this.store, { after: null, pageSize: this.pageSize })) {
      await Promise.all(this.projections.map((projection) => this.apply(projection, page)));
      this.built += page.length;
      onPage(this.built);
    }
  }

  /** Brings one projection up to `until` exactly; returns how many events that took. */
  async catchUp(projection: Projection, until: GlobalPosition): Promise<number> {
    let applied = 0;
    const after = this.positions.get(projection.name) ?? null;
    for await (const page of logPages(this.store, { after, until, pageSize: this.pageSize })) {
      await this.apply(projection, page);
      applied += page.length;
    }
    return applied;
  }

  /**
   * What the worker's consumer does, minus the lookups that cannot find anything: a key never saved
   * has no row in fresh tables. No transaction: the tables are private until the swap, and a failed
   * rebuild throws them away.
   */
  private async apply(projection: Projection, page: readonly RecordedEvent[]): Promise<void> {
    const saved = this.saved.get(projection.name)!;
    const keys = new Set<string>();
    for (const event of page) {
      const key = keyOfEvent(projection, event);
      if (key !== null) keys.add(key);
    }
    if (keys.size > 0) {
      const client = await this.pool.connect();
      try {
        const known = [...keys].filter((key) => saved.has(key));
        const rows = known.length > 0 ? await projection.load(client, known) : new Map<string, ProjectionRow>();
        const changed = foldBatch(projection, rows, page);
        await projection.save(client, changed, true);
        for (const row of changed) saved.add(row.key);
      } finally {
        client.release();
      }
    }
    this.positions.set(projection.name, page[page.length - 1].position);
  }
}

interface Names {
  schema: string;
  rebuildSchema: string;
  replacedSchema: string;
  pageSize: number;
}

type Outcome = Pick<RebuildReport, 'checkpoints' | 'tables' | 'identical' | 'swapped' | 'replacedSchema' | 'lockedMs'>;

async function compareAndSwap(settings: RebuildSettings, live: Pool, fresh: FreshTables, names: Names): Promise<Outcome> {
  const projections = settings.projections ?? readModelProjections;
  const progress = (phase: RebuildPhase) => settings.onProgress?.({ phase, events: fresh.built });
  const client = await live.connect();
  const lockedAt = performance.now();
  try {
    await client.query('BEGIN');
    const checkpointNames = projections.map((p) => p.name);
    await client.query("INSERT INTO projection_checkpoints (name, position) SELECT unnest($1::text[]), '' ON CONFLICT (name) DO NOTHING", [
      checkpointNames,
    ]);
    // The worker's projection batches start by locking their checkpoint row: from here on they wait.
    const { rows } = await client.query<{ name: string; position: string }>(
      'SELECT name, position FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
      [checkpointNames],
    );
    const livePositions = new Map(rows.map((r) => [r.name, r.position === '' ? null : parsePosition(r.position)]));

    progress('catch-up');
    const checkpoints: ProjectionCheckpoint[] = [];
    const targets = new Map<string, GlobalPosition | null>();
    for (const projection of projections) {
      const atLive = livePositions.get(projection.name) ?? null;
      const atFresh = fresh.positions.get(projection.name) ?? null;
      let rebuiltCaughtUp = 0;
      let liveCaughtUp = 0;
      if (compareCheckpoints(atFresh, atLive) < 0) rebuiltCaughtUp = await fresh.catchUp(projection, atLive!);
      // The worker was behind (or stopped): do its work here, under its lock, so both sides meet.
      else if (compareCheckpoints(atLive, atFresh) < 0) liveCaughtUp = await catchUpLive(client, settings.store, projection, atLive, atFresh!, names.pageSize);
      const target = compareCheckpoints(atLive, atFresh) < 0 ? atFresh : atLive;
      targets.set(projection.name, target);
      checkpoints.push({ projection: projection.name, position: target ? formatPosition(target) : null, rebuiltCaughtUp, liveCaughtUp });
    }

    progress('compare');
    const tables: TableComparison[] = [];
    for (const projection of projections) {
      for (const table of projection.tables) {
        tables.push(
          await compareTable(
            client,
            { name: table, projection: projection.name, liveSchema: names.schema, rebuiltSchema: names.rebuildSchema },
            settings.sampleSize ?? 5,
          ),
        );
      }
    }
    const identical = tables.every((t) => t.differences === 0);
    if (settings.dryRun || !(identical || settings.force)) {
      await client.query('ROLLBACK');
      return { checkpoints, tables, identical, swapped: false, replacedSchema: null, lockedMs: Math.round(performance.now() - lockedAt) };
    }

    progress('swap');
    const liveTables = tables.map((t) => `${names.schema}.${assertIdentifier(t.table)}`);
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(settings.lockTimeoutMs ?? 10_000))}`);
    await client.query(`LOCK TABLE ${liveTables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    if (settings.keepReplaced) {
      await client.query(`CREATE SCHEMA ${assertIdentifier(names.replacedSchema)}`);
      for (const table of liveTables) await client.query(`ALTER TABLE ${table} SET SCHEMA ${names.replacedSchema}`);
    } else {
      for (const table of liveTables) await client.query(`DROP TABLE ${table}`);
    }
    for (const t of tables) await client.query(`ALTER TABLE ${names.rebuildSchema}.${t.table} SET SCHEMA ${names.schema}`);
    // Readers that keep term charges (TermChargesCache) drop them all at this commit.
    await client.query(`SELECT pg_notify($1, '${EVERY_SUBSCRIPTION}')`, [termChargesChannel(names.schema)]);
    for (const [name, target] of targets) {
      await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
        name,
        target ? formatPosition(target) : '',
      ]);
    }
    await client.query('COMMIT');
    return {
      checkpoints,
      tables,
      identical,
      swapped: true,
      replacedSchema: settings.keepReplaced ? names.replacedSchema : null,
      lockedMs: Math.round(performance.now() - lockedAt),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Applies `(from, until]` to the live tables through the same consumer the worker runs. */
async function catchUpLive(
  client: PoolClient,
  store: EventStore,
  projection: Projection,
  from: GlobalPosition | null,
  until: GlobalPosition,
  pageSize: number,
): Promise<number> {
  const consumer = projectionConsumer(projection);
  let applied = 0;
  for await (const page of logPages(store, { after: from, until, pageSize })) {
    await consumer.handle(client, page);
    applied += page.length;
  }
  return applied;
}

const lockName = (schema: string) => `mfh-projections-rebuild:${schema}`;

/** Short enough that `<base>_replaced_<n>` stays within PostgreSQL's 63-character identifiers. */
const schemaBase = (schema: string) => schema.slice(0, 40);

async function nextRebuildNumber(client: PoolClient, schema: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT coalesce(max(substring(nspname FROM '_([0-9]+)$')::int), 0) + 1 AS n
     FROM pg_namespace WHERE nspname ~ ('^' || $1 || '_(rebuild|replaced)_[0-9]+$')`,
    [schemaBase(schema)],
  );
  return rows[0].n;
}
