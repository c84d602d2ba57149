import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { LogFollowers } from '@mfh/application';
import { comparePositions, EventStore, GlobalPosition, parsePosition } from '@mfh/event-store';
import { READ_MODELS_POOL } from '@mfh/read-models';
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from 'pg';
import { LogConsumers } from '../projections/log-consumers';

/** How often an advance looks at the checkpoints while it waits for the followers. */
const LOOK_EVERY_MS = 10;

/**
 * The followers are every consumer this worker runs (each worker runs them all); their checkpoints
 * are shared, so whichever worker applied a batch, an advance sees it.
 */
@Injectable()
export class CheckpointedLogFollowers extends LogFollowers implements BeforeApplicationShutdown {
  private stopping = false;

  constructor(
    private readonly consumers: LogConsumers,
    private readonly store: EventStore,
    @Inject(READ_MODELS_POOL) private readonly pool: Pool,
  ) {
    super();
  }

  /** The followers stop with the worker: an advance waiting for them fails, and its job's retry resumes it (nothing fires twice). */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async reach(position: GlobalPosition): Promise<void> {
    for (;;) {
      if (this.stopping) throw new Error('The worker is stopping; the test clock advance resumes when its job is retried');
      if ((await this.checkpoints()).every((at) => at !== null && comparePositions(at, position) >= 0)) return;
      await delay(LOOK_EVERY_MS);
    }
  }

  /**
   * Waits for every follower to reach the log's head, again until the head stays where it was: a
   * follower may append as it goes (the charger's charges). The head is the last event appended,
   * not the last the global read hands out yet: a transaction left open elsewhere on the server
   * holds that back, and an advance must still wait for what came before it asked.
   */
  async catchUp(): Promise<void> {
    for (let reached: GlobalPosition | null = null; ; ) {
      const head = await this.store.headPosition();
      if (head === null || (reached !== null && comparePositions(head, reached) <= 0)) return;
      await this.reach(head);
      reached = head;
    }
  }

  /** Every follower's checkpoint in one query; null for one that has handled nothing yet. */
  private async checkpoints(): Promise<(GlobalPosition | null)[]> {
    const names = this.consumers.all().map((consumer) => consumer.name);
    const { rows } = await this.pool.query<{ name: string; position: string }>(
      'SELECT name, position FROM projection_checkpoints WHERE name = ANY($1::text[])',
      [names],
    );
    const stored = new Map(rows.map((row) => [row.name, parsePosition(row.position)]));
    return names.map((name) => stored.get(name) ?? null);
  }
}
