import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { EventStore, isStoreUnavailable } from '@mfh/event-store';
import { CatchUpRunner, READ_MODELS_POOL } from '@mfh/read-models';
import type { Pool } from 'pg';
import { LogConsumers } from './log-consumers';

/**
 * Runs every registered projection and reactor from its checkpoint while the worker is up, woken by
 * the event store's append watch, with PROJECTION_POLL_MS as the safety net.
 */
@Injectable()
export class CatchUpService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CatchUp');
  private runner: CatchUpRunner | null = null;

  constructor(
    private readonly store: EventStore,
    @Inject(READ_MODELS_POOL) private readonly pool: Pool,
    private readonly config: AppConfig,
    private readonly consumers: LogConsumers,
  ) {}

  onApplicationBootstrap(): void {
    this.runner = new CatchUpRunner(this.store, this.pool, this.consumers.all(), {
      pollMs: this.config.PROJECTION_POLL_MS,
      onError: (consumer, error, failures) => {
        const message = `${consumer}: ${error instanceof Error ? error.message : String(error)}`;
        // An outage is said once per consumer, and its end once; retrying through it is expected.
        if (!isStoreUnavailable(error)) this.logger.error(message);
        else if (failures === 1) this.logger.warn(`${message}; retrying with backoff until the store answers`);
      },
      onRecovered: (consumer, failures) => this.logger.log(`${consumer}: resumed after ${failures} failed attempts`),
      onRefused: (consumer, reason) =>
        this.logger.error(`${consumer} does not run: ${reason}. Was the store replaced, or the checkpoint copied from another? \`projections rebuild\` starts it over.`),
      onWakeupsInterrupted: (error, failures) => {
        if (failures > 1) return;
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`wake-ups from the event store lost (${message}); reconnecting, and checking every ${this.config.PROJECTION_POLL_MS} ms meanwhile`);
      },
      onWakeupsResumed: () => this.logger.log('wake-ups from the event store resumed; catching up'),
    });
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }
}
