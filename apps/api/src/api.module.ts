import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CoreOverrides, coreModules } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { JsonBodyOnly } from './http/json-body.interceptor';
import { MetricsController } from './http/metrics';
import { PartnersModule } from './partners/partners.module';

export type ApiOverrides = CoreOverrides;

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, overrides: ApiOverrides = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ...coreModules(config, 'api', overrides),
        AuthModule,
        PartnersModule,
        HealthModule,
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_INTERCEPTOR, useClass: JsonBodyOnly }],
    };
  }
}
