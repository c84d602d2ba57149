import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { ApplicationModule, bullConnection, DEFAULT_JOB_OPTIONS, QUEUES } from '@mfh/application';
import { AppConfig, Catalog, ConfigModule } from '@mfh/config';
import { EventStore, EventStoreModule } from '@mfh/event-store';
import { ReadModelsModule } from '@mfh/read-models';
import { OrderCompletionProcessor } from './orders/order-completion.processor';
import { OrderCompletionReactor } from './orders/order-completion.reactor';
import { CatchUpService } from './projections/catch-up.service';

export interface WorkerOverrides {
  catalog?: Catalog;
  eventStore?: EventStore;
}

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, overrides: WorkerOverrides = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, overrides.catalog),
        EventStoreModule.forRoot(
          overrides.eventStore
            ? { store: overrides.eventStore }
            : { url: config.eventStoreUrl, schema: config.DATABASE_SCHEMA, poolSize: config.DATABASE_POOL_SIZE },
        ),
        ReadModelsModule.forRoot({
          url: config.DATABASE_URL,
          schema: config.DATABASE_SCHEMA,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'mfh-worker',
        }),
        ApplicationModule,
        BullModule.forRoot({ connection: bullConnection(config), prefix: config.QUEUE_PREFIX, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
        BullModule.registerQueue({ name: QUEUES.orders }),
      ],
      providers: [CatchUpService, OrderCompletionReactor, OrderCompletionProcessor],
      exports: [CatchUpService],
    };
  }
}
