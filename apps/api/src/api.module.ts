import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CoreOverrides, coreModules } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { messagingModule } from '@mfh/messaging';
import { AdminModule } from './admin/admin.module';
import { AuditorsModule } from './auditors/auditors.module';
import { AuthModule } from './auth/auth.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { HealthModule } from './health/health.module';
import { JsonBodyOnly } from './http/json-body.guard';
import { MetricsController } from './http/metrics';
import { NotificationsModule } from './notifications/notifications.module';
import { PartnersModule } from './partners/partners.module';
import { PublishersModule } from './publishers/publishers.module';
import { SandboxModule } from './sandbox/sandbox.module';

export type ApiOverrides = CoreOverrides;

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, overrides: ApiOverrides = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ...coreModules(config, 'api', overrides),
        messagingModule(config),
        AuthModule,
        PartnersModule,
        PublishersModule,
        HealthModule,
        CallbacksModule,
        AdminModule,
        AuditorsModule,
        NotificationsModule,
        ...(config.SANDBOX ? [SandboxModule] : []),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: JsonBodyOnly }],
    };
  }
}
