import { backoffDelay, comparePositions, EventStore, formatPosition, GlobalPosition, parsePosition } from '@mfh/event-store';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { LogConsumer } from './projection';

export interface CatchUpRunnerOptions {
  batchSize?: number;
  /** How long an idle consumer waits before looking again. */
  pollMs?: number;
  /** A batch failed; `failures` counts the consecutive failures of this consumer so far (1 for the first). */
  onError?: (consumer: string, error: unknown, failures: number) => void;
  /** A batch succeeded after `failures` consecutive failures. */
  onRecovered?: (consumer: string, failures: number) => void;
}

/** Where a consumer stands: the position of the last event it has handled, null before the first. */
export async function readCheckpoint(pool: Pool, name: string): Promise<GlobalPosition | null> {
  const { rows } = await pool.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows.length === 0 || rows[0].position === '' ? null : parsePosition(rows[0].position);
}

/**
 * Feeds the global log to consumers, each from its own checkpoint. A batch's effects and the
 * checkpoint commit in one transaction, so a crash replays at most an uncommitted batch.
 */
export class CatchUpRunner {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private stopping: AbortController | null = null;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly consumers: readonly LogConsumer[],
    private readonly options: CatchUpRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 50;
  }

  /** Handles one batch; returns how many events it consumed (0 when caught up). */
  async runBatch(consumer: LogConsumer): Promise<number> {
    await this.pool.query(
      "INSERT INTO projection_checkpoints (name, position) VALUES ($1, '') ON CONFLICT (name) DO NOTHING",
      [consumer.name],
    );
    const from = await readCheckpoint(this.pool, consumer.name);
    const events = await this.store.readAll({ after: from, maxCount: this.batchSize });
    if (events.length === 0) return 0;

    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ position: string }>(
        'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
        [consumer.name],
      );
      const locked = rows[0].position === '' ? null : parsePosition(rows[0].position);
      const unchanged = locked === null ? from === null : from !== null && comparePositions(locked, from) === 0;
      if (!unchanged) {
        // Another runner applied this batch meanwhile; read again from where it got to.
        await client.query('ROLLBACK');
        return events.length;
      }
      await consumer.handle(client, events);
      await client.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
        consumer.name,
        formatPosition(events[events.length - 1].position),
      ]);
      await client.query('COMMIT');
      return events.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
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
    this.loops = this.consumers.map((consumer) => this.loop(consumer, stopping.signal));
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    await Promise.all(this.loops);
    this.stopping = null;
    this.loops = [];
  }

  private async loop(consumer: LogConsumer, stop: AbortSignal): Promise<void> {
    let failures = 0;
    while (!stop.aborted) {
      let wait = 0;
      try {
        const applied = await this.runBatch(consumer);
        if (failures > 0) this.options.onRecovered?.(consumer.name, failures);
        failures = 0;
        if (applied === 0) wait = this.pollMs;
      } catch (error) {
        failures++;
        this.options.onError?.(consumer.name, error, failures);
        wait = backoffDelay(failures + 1, { firstMs: this.pollMs, maxMs: 5_000 });
      }
      if (wait > 0) await delay(wait, undefined, { signal: stop }).catch(() => undefined);
    }
  }
}
