import type { RecordedEvent } from '@mfh/event-store';
import type { PoolClient } from 'pg';

/** A read-model row belongs to one stream and remembers the last revision of it that it has seen. */
export interface ProjectionRow {
  readonly key: string;
  readonly revision: number;
}

/** Which stored events a projection handles: a guard made by `eventsOfType<E>()(...types)` from @mfh/event-store. */
export type EventGuard<E extends RecordedEvent> = (event: RecordedEvent) => event is E;

/** The events a guard lets through. */
export type GuardedEvent<G> = G extends EventGuard<infer E> ? E : never;

/**
 * A read model: which events it handles, which row each touches, how the row changes (pure), and
 * how rows are loaded and saved inside the runner's transaction (SQL in the view's repository file).
 */
export interface Projection<Row extends ProjectionRow = ProjectionRow, E extends RecordedEvent = RecordedEvent> {
  readonly name: string;
  /** The tables it writes, each keyed by an `id` primary key; a rebuild builds, compares and swaps them. */
  readonly tables: readonly string[];
  /** The event types it handles; every other event passes it by. */
  readonly canHandle: EventGuard<E>;
  /** The row the event touches, or null when it touches none. */
  keyOf(event: E): string | null;
  /**
   * Whether the row has yet to see the event; by default, when it is newer than `row.revision`. A
   * projection that also handles events of other streams (whose revisions count those streams) says
   * how it tells for them, and its `evolve` applies those idempotently.
   */
  unseen?(row: Row, event: E): boolean;
  /** Pure and total. Only called with events the row has not seen. */
  evolve(row: Row | null, event: E): Row | null;
  load(client: PoolClient, keys: readonly string[]): Promise<Map<string, Row>>;
  /** `fresh`: into a rebuild's tables, private until the swap, which rows never were in before. */
  save(client: PoolClient, rows: readonly Row[], fresh?: boolean): Promise<void>;
}

/** The row an event touches, or null when the projection does not handle it. */
export function keyOfEvent<Row extends ProjectionRow, E extends RecordedEvent>(projection: Projection<Row, E>, event: RecordedEvent): string | null {
  return projection.canHandle(event) ? projection.keyOf(event) : null;
}

/**
 * Folds a batch into rows. An event the row has already seen (by default, revision not newer)
 * changes nothing, so replaying events leaves the same rows.
 */
export function foldBatch<Row extends ProjectionRow, E extends RecordedEvent>(
  projection: Projection<Row, E>,
  rows: Map<string, Row>,
  events: readonly RecordedEvent[],
): Row[] {
  const changed = new Map<string, Row>();
  for (const event of events) {
    if (!projection.canHandle(event)) continue;
    const key = projection.keyOf(event);
    if (key === null) continue;
    const row = rows.get(key) ?? null;
    if (row && !(projection.unseen ? projection.unseen(row, event) : event.revision > row.revision)) continue;
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
  /**
   * Whether `handle` would do anything with this event. When given, a batch with none such only
   * moves the checkpoint, in one statement instead of a transaction around `handle`.
   */
  readonly handles?: (event: RecordedEvent) => boolean;
  /** Called inside the transaction that then moves the checkpoint past `events`. */
  handle(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>;
}

export function projectionConsumer<Row extends ProjectionRow, E extends RecordedEvent>(projection: Projection<Row, E>): LogConsumer {
  return {
    name: projection.name,
    handles: (event) => keyOfEvent(projection, event) !== null,
    async handle(client, events) {
      const keys = [...new Set(events.map((e) => keyOfEvent(projection, e)).filter((k): k is string => k !== null))];
      if (keys.length === 0) return;
      const rows = await projection.load(client, keys);
      await projection.save(client, foldBatch(projection, rows, events));
    },
  };
}
