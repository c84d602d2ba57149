import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { LogFollowers } from '@mfh/application';
import { comparePositions, EventStore, GlobalPosition, parsePosition } from '@mfh/event-store';
import { READ_MODELS_POOL, readCheckpoint } from '@mfh/read-models';
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
      const names = this.consumers.all().map((consumer) => consumer.name);
      const { rows } = await this.pool.query<{ position: string }>(
        "SELECT position FROM projection_checkpoints WHERE name = ANY($1::text[]) AND position <> ''",
        [names],
      );
      const reached = rows.map((row) => parsePosition(row.position));
      if (reached.length === names.length && reached.every((at) => at !== null && comparePositions(at, position) >= 0)) return;
      await delay(LOOK_EVERY_MS);
    }
  }

  /** The furthest-behind follower's next event and everything before it, until none has one: each consumer is read after its own checkpoint. */
  async catchUp(): Promise<void> {
    for (;;) {
      const behind = await Promise.all(
        this.consumers.all().map(async (consumer) => {
          const [next] = await this.store.readAll({ after: await readCheckpoint(this.pool, consumer.name), maxCount: 1 });
          return next?.position ?? null;
        }),
      );
      const pending = behind.filter((position): position is GlobalPosition => position !== null);
      if (pending.length === 0) return;
      await this.reach(pending.reduce((max, p) => (comparePositions(p, max) > 0 ? p : max)));
    }
  }
}
