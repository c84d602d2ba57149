import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { createPgPool, runMigrationsWhenAvailable } from '@mfh/event-store';
import type { Pool } from 'pg';
import { CustomersRepository } from './customers/customers.repository';
import { InvoicesRepository } from './invoices/invoices.repository';
import { ReconciliationExportsRepository } from './invoices/reconciliation-exports.repository';
import { OrdersRepository } from './orders/orders.repository';
import { readModelMigrations } from './projections/read-models.migrations';
import { SubscriptionsRepository } from './subscriptions/subscriptions.repository';
import { TestClocksRepository } from './test-clocks/test-clocks.repository';
import { TimersRepository } from './timers/timers.repository';

export const READ_MODELS_POOL = Symbol('READ_MODELS_POOL');

export interface ReadModelsSettings {
  url: string;
  schema: string;
  poolSize?: number;
  applicationName?: string;
}

class PoolLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(READ_MODELS_POOL) private readonly pool: Pool,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.subscriptions.close();
    await this.pool.end();
  }
}

/** The read-model database: migrated at start, closed at shutdown, with its repositories. */
@Global()
@Module({})
export class ReadModelsModule {
  static forRoot(settings: ReadModelsSettings): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        {
          provide: READ_MODELS_POOL,
          useFactory: async () => {
            const pool = createPgPool({
              url: settings.url,
              schema: settings.schema,
              max: settings.poolSize,
              applicationName: settings.applicationName,
            });
            // A process that starts before PostgreSQL waits for it rather than exiting.
            await runMigrationsWhenAvailable(pool, settings.schema, 'read-models', readModelMigrations);
            return pool;
          },
        },
        PoolLifecycle,
        { provide: SubscriptionsRepository, useFactory: (pool: Pool) => new SubscriptionsRepository(pool), inject: [READ_MODELS_POOL] },
        { provide: CustomersRepository, useFactory: (pool: Pool) => new CustomersRepository(pool), inject: [READ_MODELS_POOL] },
        { provide: OrdersRepository, useFactory: (pool: Pool) => new OrdersRepository(pool), inject: [READ_MODELS_POOL] },
        { provide: TimersRepository, useFactory: (pool: Pool) => new TimersRepository(pool), inject: [READ_MODELS_POOL] },
        { provide: TestClocksRepository, useFactory: (pool: Pool) => new TestClocksRepository(pool), inject: [READ_MODELS_POOL] },
        { provide: InvoicesRepository, useFactory: (pool: Pool) => new InvoicesRepository(pool), inject: [READ_MODELS_POOL] },
        {
          provide: ReconciliationExportsRepository,
          useFactory: (pool: Pool) => ReconciliationExportsRepository.open(pool, settings.schema),
          inject: [READ_MODELS_POOL],
        },
      ],
      exports: [
        READ_MODELS_POOL,
        SubscriptionsRepository,
        CustomersRepository,
        OrdersRepository,
        TimersRepository,
        TestClocksRepository,
        InvoicesRepository,
        ReconciliationExportsRepository,
      ],
    };
  }
}
