import {
  AppendWatch,
  backoffDelay,
  batchedLoader,
  comparePositions,
  EventStore,
  formatPosition,
  GlobalPosition,
  parsePosition,
  RecordedEvent,
} from '@mfh/event-store';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { escapeLiteral, type Pool } from 'pg';
import type { LogConsumer } from './projection';

export interface CatchUpRunnerOptions {
  batchSize?: number;
  /**
   * The safety net behind the store's wake-ups (PROJECTION_POLL_MS): this often the runner compares
   * the log's head with where its consumers stand and wakes those behind it. For a store that cannot
   * wake readers it is the polling interval. Default 5 000 ms.
   */
  pollMs?: number;
  /** A batch failed; `failures` counts the consecutive failures of this consumer so far (1 for the first). */
  onError?: (consumer: string, error: unknown, failures: number) => void;
  /** A batch succeeded after `failures` consecutive failures. */
  onRecovered?: (consumer: string, failures: number) => void;
  /** The store's wake-ups were lost (`failures` attempts in a row); until they are back, only the safety net runs. */
  onWakeupsInterrupted?: (error: unknown, failures: number) => void;
  onWakeupsResumed?: () => void;
  /**
   * A consumer's checkpoint is not a position of this log (beyond its head, or between its events):
   * it was written against another store, or the log was replaced. The consumer does not run; the
   * others do. `projections rebuild` starts it again from the beginning.
   */
  onRefused?: (consumer: string, reason: string) => void;
}

export const DEFAULT_POLL_MS = 5_000;
/** The first pause before reading again for events a wake-up announced that the read did not hand out yet. */
const CHASE_FIRST_MS = 10;
/** Retrying a failed batch: the first pause, doubled after each failure. */
const RETRY_BACKOFF = { firstMs: 50, maxMs: 5_000 };

/** Where a consumer stands: the position of the last event it has handled, null before the first. */
export async function readCheckpoint(pool: Pool, name: string): Promise<GlobalPosition | null> {
  const { rows } = await pool.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows.length === 0 || rows[0].position === '' ? null : parsePosition(rows[0].position);
}

/** Where one consumer's loop stands, and how it is woken. */
class ConsumerState {
  /** Set by a wake-up; cleared as a read starts, so that a wake-up during the read makes another. */
  pending = true;
  /** Its checkpoint after its last batch; undefined before the first. */
  checkpoint: GlobalPosition | null | undefined = undefined;
  /** A position some event stands at that its reads have not handed out yet (PostgreSQL's read horizon). */
  target: GlobalPosition | null = null;
  chases = 0;
  /** Its checkpoint was found to be a position of this log (checked once, when the store first answers). */
  verified = false;
  private resume: (() => void) | null = null;

  constructor(readonly consumer: LogConsumer) {}

  wake(): void {
    this.pending = true;
    this.resume?.();
  }

  isBehind(position: GlobalPosition): boolean {
    return this.checkpoint === null || (this.checkpoint !== undefined && comparePositions(this.checkpoint, position) < 0);
  }

  /** Until woken, `ms` passed (never, for null) or `stop`. */
  async sleep(ms: number | null, stop: AbortSignal): Promise<void> {
    if (this.pending || stop.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    const abort = (): void => this.resume?.();
    await new Promise<void>((resolve) => {
      this.resume = resolve;
      stop.addEventListener('abort', abort, { once: true });
      if (ms !== null) timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    stop.removeEventListener('abort', abort);
    this.resume = null;
  }
}

/**
 * Feeds the global log to consumers, each from its own checkpoint. A batch's effects and the
 * checkpoint commit in one transaction, so a crash replays at most an uncommitted batch.
 *
 * Running, idle consumers do not poll: the store's append watch wakes them all (one LISTEN
 * connection or one `$all` subscription per runner), and each reads from its own checkpoint. Where
 * an announced event may not be readable yet (PostgreSQL, behind an older append still in flight), the
 * runner reads the log's head and consumers behind it read again, backing off, until they reach it.
 * Every `pollMs` the runner compares the head with its consumers, which covers lost wake-ups.
 */
export class CatchUpRunner {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private stopping: AbortController | null = null;
  private loops: Promise<void>[] = [];
  private states: ConsumerState[] = [];
  private watch: AppendWatch | null = null;
  private tick: NodeJS.Timeout | null = null;
  private headCheck: Promise<void> | null = null;
  private headCheckAgain = false;
  /** Consumers whose checkpoint row this runner has made sure of. */
  private readonly ensured = new Set<string>();
  /** Counts wake-ups: a read begun at generation g has seen every append announced by then. */
  private generation = 0;
  /** Reads of the log in flight, by where they read from: consumers standing at the same place share one. */
  private readonly reads = new Map<string, { generation: number; events: Promise<RecordedEvent[]> }>();
  /**
   * Checkpoint moves of batches with nothing to apply, of all consumers together: one statement moves
   * each that still stands where its read began (a consumer has one batch in flight, so one move).
   */
  private readonly moves = batchedLoader(async (moves: readonly { name: string; from: string; to: string }[]) => {
    const values = moves.map(({ name, from, to }) => `(${escapeLiteral(name)}, ${escapeLiteral(from)}, ${escapeLiteral(to)})`).join(', ');
    // Not waiting for the disk, as a consumer's commit (below): a lost move is read again, and finds nothing again.
    const results = (await this.pool.query(
      `BEGIN; SET LOCAL synchronous_commit TO off;
       UPDATE projection_checkpoints AS c SET position = m.moved_to, updated_at = now()
       FROM (VALUES ${values}) AS m(name, moved_from, moved_to) WHERE c.name = m.name AND c.position = m.moved_from
       RETURNING c.name; COMMIT`,
    )) as unknown as { rows: { name: string }[] }[];
    const moved = new Set(results[2].rows.map((row) => row.name));
    const seen = new Set<string>();
    return moves.map(({ name }) => {
      const first = !seen.has(name);
      seen.add(name);
      return first && moved.has(name);
    });
  });

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly consumers: readonly LogConsumer[],
    private readonly options: CatchUpRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Handles one batch; returns how many events it consumed (0 when caught up). */
  async runBatch(consumer: LogConsumer): Promise<number> {
    // A caller from outside shares no read begun before it asked.
    return (await this.applyBatch(consumer, undefined, Number.POSITIVE_INFINITY)).count;
  }

  /**
   * One batch from `known` (the checkpoint this runner last left it at) or, unknown, the stored one.
   * Either way the batch applies only if the stored checkpoint still is where the read began.
   */
  private async applyBatch(
    consumer: LogConsumer,
    known: GlobalPosition | null | undefined,
    generation: number,
  ): Promise<{ count: number; checkpoint: GlobalPosition | null | undefined }> {
    if (!this.ensured.has(consumer.name)) {
      await this.pool.query("INSERT INTO projection_checkpoints (name, position) VALUES ($1, '') ON CONFLICT (name) DO NOTHING", [consumer.name]);
      this.ensured.add(consumer.name);
    }
    const from = known !== undefined ? known : await readCheckpoint(this.pool, consumer.name);
    const events = await this.readAfter(from, generation);
    if (events.length === 0) return { count: 0, checkpoint: from };
    const stored = from === null ? '' : formatPosition(from);

    if (consumer.handles && !events.some(consumer.handles)) {
      // Nothing to apply: the checkpoint moves on if it still stands where the read began.
      const last = events[events.length - 1].position;
      if (await this.moves.load({ name: consumer.name, from: stored, to: formatPosition(last) })) return { count: events.length, checkpoint: last };
      // Another runner moved it (or a rebuild removed it): read on from the stored one.
      this.ensured.delete(consumer.name);
      return { count: events.length, checkpoint: undefined };
    }

    const client = await this.pool.connect();
    try {
      // A consumer's commit need not wait for the disk: what it wrote is derived from the log, which
      // is durable, and its checkpoint commits with it. A crash may undo its last commits; they are
      // applied again from the log, and every effect of a consumer is idempotent.
      const opened = (await client.query(
        `BEGIN; SET LOCAL synchronous_commit TO off; SELECT position FROM projection_checkpoints WHERE name = ${escapeLiteral(consumer.name)} FOR UPDATE`,
      )) as unknown as { rows: { position: string }[] }[];
      const { rows } = opened[2];
      if (rows.length === 0) {
        // The row is gone (a rebuild): made again on the next batch.
        this.ensured.delete(consumer.name);
        await client.query('ROLLBACK');
        return { count: events.length, checkpoint: undefined };
      }
      const locked = rows[0].position === '' ? null : parsePosition(rows[0].position);
      const unchanged = locked === null ? from === null : from !== null && comparePositions(locked, from) === 0;
      if (!unchanged) {
        // Another runner applied this batch meanwhile; read again from where it got to.
        await client.query('ROLLBACK');
        return { count: events.length, checkpoint: locked };
      }
      await consumer.handle(client, events);
      const last = events[events.length - 1].position;
      await client.query(
        `UPDATE projection_checkpoints SET position = ${escapeLiteral(formatPosition(last))}, updated_at = now() WHERE name = ${escapeLiteral(consumer.name)}; COMMIT`,
      );
      return { count: events.length, checkpoint: last };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The events after `from`. A read of the same place already in flight is shared when it began at
   * or after `generation`, the wake-ups its consumer had seen: it then has every event they announced.
   */
  private readAfter(from: GlobalPosition | null, generation: number): Promise<RecordedEvent[]> {
    const key = from === null ? '' : formatPosition(from);
    const shared = this.reads.get(key);
    if (shared && shared.generation >= generation) return shared.events;
    const events = this.store.readAll({ after: from, maxCount: this.batchSize });
    const entry = { generation: this.generation, events };
    this.reads.set(key, entry);
    const forget = () => {
      if (this.reads.get(key) === entry) this.reads.delete(key);
    };
    events.then(forget, forget);
    return events;
  }

  /** Runs every consumer until none has anything left to handle. */
  async catchUp(): Promise<void> {
    for (const consumer of this.consumers) {
      while ((await this.runBatch(consumer)) > 0) {
        // keep going until the consumer reaches the head of the log
      }
    }
  }

  start(): void {
    if (this.stopping) return;
    const stopping = new AbortController();
    // Every consumer's wait listens on this one signal.
    setMaxListeners(this.consumers.length + 1, stopping.signal);
    this.stopping = stopping;
    this.states = this.consumers.map((consumer) => new ConsumerState(consumer));
    this.watch = this.store.watchAppends({
      appended: () => {
        this.generation++;
        for (const state of this.states) state.wake();
        if (this.watch?.mayLag) this.checkHead();
      },
      interrupted: (error, failures) => this.options.onWakeupsInterrupted?.(error, failures),
      resumed: () => this.options.onWakeupsResumed?.(),
    });
    // Moved checkpoints are looked for on the tick only: a head check also follows wake-ups, on the hot path.
    this.tick = setInterval(() => {
      void this.noticeMovedCheckpoints();
      this.checkHead();
    }, this.pollMs);
    this.loops = this.states.map((state) => this.loop(state, stopping.signal));
  }

  async stop(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    this.stopping?.abort();
    await Promise.all([this.watch?.close(), ...this.loops, this.headCheck]);
    this.watch = null;
    this.stopping = null;
    this.loops = [];
    this.states = [];
  }

  /** Reads the log's head once (once more if asked again meanwhile) and wakes the consumers behind it. */
  private checkHead(): void {
    if (this.headCheck) {
      this.headCheckAgain = true;
      return;
    }
    this.headCheck = (async () => {
      do {
        this.headCheckAgain = false;
        // A failure is the consumers' to report: they meet the same store.
        const head = await this.store.headPosition().catch(() => null);
        if (head === null || this.stopping?.signal.aborted !== false) continue;
        this.generation++;
        for (const state of this.states) {
          if (state.checkpoint !== undefined && !state.isBehind(head)) continue;
          if (state.target === null || comparePositions(state.target, head) < 0) state.target = head;
          state.wake();
        }
      } while (this.headCheckAgain && this.stopping?.signal.aborted === false);
      this.headCheck = null;
    })();
  }

  /**
   * Consumers read on from the checkpoint they last left, not the stored one: one moved by someone
   * else (an operator replaying a reactor, another worker) is noticed here, every `pollMs`, or at their next batch.
   */
  private async noticeMovedCheckpoints(): Promise<void> {
    const { rows } = await this.pool
      .query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints WHERE name = ANY($1::text[])', [
        this.states.map((state) => state.consumer.name),
      ])
      .catch(() => ({ rows: [] }));
    const stored = new Map(rows.map((row) => [row.name, row.position]));
    for (const state of this.states) {
      const at = stored.get(state.consumer.name);
      if (at === undefined || state.checkpoint === undefined || at === (state.checkpoint === null ? '' : formatPosition(state.checkpoint))) continue;
      state.checkpoint = undefined;
      state.wake();
    }
  }

  /** Why the consumer's stored checkpoint cannot be read on from in this log; null when it can (or it has none). */
  private async checkpointRefusal(consumer: LogConsumer): Promise<string | null> {
    const checkpoint = await readCheckpoint(this.pool, consumer.name);
    if (checkpoint === null) return null;
    const head = await this.store.headPosition();
    const at = formatPosition(checkpoint);
    if (head === null) return `its checkpoint ${at} lies beyond the log's head: the log is empty`;
    if (comparePositions(checkpoint, head) > 0) return `its checkpoint ${at} lies beyond the log's head ${formatPosition(head)}`;
    if (!(await this.store.hasEventAt(checkpoint))) return `its checkpoint ${at} is no event's position in this log`;
    return null;
  }

  private async loop(state: ConsumerState, stop: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stop.aborted) {
      const generation = this.generation;
      state.pending = false;
      try {
        if (!state.verified) {
          const refusal = await this.checkpointRefusal(state.consumer);
          if (refusal !== null) {
            this.options.onRefused?.(state.consumer.name, refusal);
            return;
          }
          state.verified = true;
        }
        const { count, checkpoint } = await this.applyBatch(state.consumer, state.checkpoint, generation);
        state.checkpoint = checkpoint;
        if (failures > 0) this.options.onRecovered?.(state.consumer.name, failures);
        failures = 0;
        if (count > 0) continue;
        if (state.target && state.isBehind(state.target)) {
          // The head is there but not readable yet: look again soon, then less and less often.
          state.chases++;
          await state.sleep(backoffDelay(state.chases, { firstMs: CHASE_FIRST_MS, maxMs: this.pollMs }), stop);
        } else {
          state.target = null;
          state.chases = 0;
          await state.sleep(null, stop);
        }
      } catch (error) {
        failures++;
        this.options.onError?.(state.consumer.name, error, failures);
        await delay(backoffDelay(failures + 1, RETRY_BACKOFF), undefined, { signal: stop }).catch(() => undefined);
      }
    }
  }
}
