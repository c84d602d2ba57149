import { DynamicModule, Module } from '@nestjs/common';
import { CoreOverrides, coreModules } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { messagingModule } from '@mfh/messaging';
import { BillingModule } from './billing/billing.module';
import { BillingCyclesModule } from './billing-cycles/billing-cycles.module';
import { ChargesModule } from './charges/charges.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { InvoicesModule } from './invoices/invoices.module';
import { OperationsModule } from './operations/operations.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OrdersModule } from './orders/orders.module';
import { ProjectionsModule } from './projections/projections.module';
import { RenewalsModule } from './renewals/renewals.module';
import { SuspensionsModule } from './suspensions/suspensions.module';
import { TestClocksModule } from './test-clocks/test-clocks.module';

export type WorkerOverrides = CoreOverrides;

/** One module per feature; each registers its own log consumers and queue processors. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, overrides: WorkerOverrides = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [...coreModules(config, 'worker', overrides), messagingModule(config), ProjectionsModule, OrdersModule, BillingModule, BillingCyclesModule, ChargesModule, OperationsModule, RenewalsModule, SuspensionsModule, NotificationsModule, CallbacksModule, TestClocksModule, InvoicesModule],
    };
  }
}
