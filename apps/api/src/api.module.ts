import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ApplicationModule } from '@mfh/application';
import { AppConfig, Catalog, ConfigModule } from '@mfh/config';
import { EventStore, EventStoreModule } from '@mfh/event-store';
import { ReadModelsModule } from '@mfh/read-models';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { JsonBodyOnly } from './http/json-body.interceptor';
import { MetricsController } from './http/metrics';
import { PartnersModule } from './partners/partners.module';

export interface ApiOverrides {
  catalog?: Catalog;
  /** Tests may hand in a store; normally EVENT_STORE_URL picks and opens one. */
  eventStore?: EventStore;
  /** The command clock; tests move it to cross cancellation windows. */
  clock?: () => Date;
}

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, overrides: ApiOverrides = {}): DynamicModule {
    return {
      module: ApiModule,
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
          applicationName: 'mfh-api',
        }),
        ApplicationModule,
        AuthModule,
        PartnersModule,
        HealthModule,
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: JsonBodyOnly }],
    };
  }
}
