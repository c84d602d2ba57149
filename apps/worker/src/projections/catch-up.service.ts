import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@mfh/config';
import { EventStore } from '@mfh/event-store';
import {
  CatchUpRunner,
  customersProjection,
  ordersProjection,
  projectionConsumer,
  READ_MODELS_POOL,
  subscriptionsProjection,
} from '@mfh/read-models';
import type { Pool } from 'pg';
import { OrderCompletionReactor } from '../orders/order-completion.reactor';

/** Runs every projection and reactor from its checkpoint while the worker is up. */
@Injectable()
export class CatchUpService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CatchUp');
  readonly runner: CatchUpRunner;

  constructor(store: EventStore, @Inject(READ_MODELS_POOL) pool: Pool, config: AppConfig, orderCompletion: OrderCompletionReactor) {
    this.runner = new CatchUpRunner(
      store,
      pool,
      [projectionConsumer(subscriptionsProjection), projectionConsumer(customersProjection), projectionConsumer(ordersProjection), orderCompletion],
      {
        pollMs: config.PROJECTION_POLL_MS,
        onError: (consumer, error) => this.logger.error(`${consumer}: ${error instanceof Error ? error.message : String(error)}`),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
