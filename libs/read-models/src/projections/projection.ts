import type { RecordedEvent } from '@mfh/event-store';
import type { PoolClient } from 'pg';

/** A read-model row belongs to one stream and remembers the last revision of it that it has seen. */
export interface ProjectionRow {
  readonly key: string;
  readonly revision: number;
}

/**
 * A read model: which row an event touches, how the row changes (pure), and how rows are loaded and
 * saved inside the runner's transaction.
 */
export interface Projection<Row extends ProjectionRow = ProjectionRow> {
  readonly name: string;
  /** The tables it writes, each keyed by an `id` primary key; a rebuild builds, compares and swaps them. */
  readonly tables: readonly string[];
  /** The row the event touches, or null when this projection ignores it. */
  keyOf(event: RecordedEvent): string | null;
  /** Pure and total. Only called with events newer than `row.revision`. */
  evolve(row: Row | null, event: RecordedEvent): Row | null;
  load(client: PoolClient, keys: readonly string[]): Promise<Map<string, Row>>;
  save(client: PoolClient, rows: readonly Row[]): Promise<void>;
}

/**
 * Folds a batch into rows. An event the row has already seen (revision not newer) changes nothing,
 * so replaying events leaves the same rows.
 */
export function foldBatch<Row extends ProjectionRow>(
  projection: Projection<Row>,
  rows: Map<string, Row>,
  events: readonly RecordedEvent[],
): Row[] {
  const changed = new Map<string, Row>();
  for (const event of events) {
    const key = projection.keyOf(event);
    if (key === null) continue;
    const row = rows.get(key) ?? null;
    if (row && event.revision <= row.revision) continue;
    const next = projection.evolve(row, event);
    if (next === null) continue;
    rows.set(key, next);
    changed.set(key, next);
  }
  return [...changed.values()];
}

/** Anything that reads the global log from a checkpoint: projections, and reactors that enqueue work. */
export interface LogConsumer {
  readonly name: string;
  /** Called inside the transaction that then moves the checkpoint past `events`. */
  handle(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
}

export function projectionConsumer<Row extends ProjectionRow>(projection: Projection<Row>): LogConsumer {
  return {
    name: projection.name,
    async handle(client, events) {
      const keys = [...new Set(events.map((e) => projection.keyOf(e)).filter((k): k is string => k !== null))];
      if (keys.length === 0) return;
      const rows = await projection.load(client, keys);
      await projection.save(client, foldBatch(projection, rows, events));
    },
  };
}
