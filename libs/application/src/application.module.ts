import { DynamicModule, Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { KeysModule } from '@mfh/auth';
import { NotificationsStoreModule } from '@mfh/read-models';
import { ActivationLinks } from './activation/activation-links';
import { BILLING_HANDLERS } from './billing/billing.handlers';
import { Clock, SystemClock } from './clock';
import { CommandExecutor } from './command-executor';
import { LifecycleLogger } from './lifecycle-logger';
import { StreamStates } from './stream-states';
import { CUSTOMER_HANDLERS } from './customers/customer.handlers';
import { INVOICE_HANDLERS } from './invoices/invoice.handlers';
import { UnbilledPeriods } from './invoices/unbilled-periods';
import { ORDER_HANDLERS } from './orders/order.handlers';
import { ADMIN_SUBSCRIPTION_HANDLERS } from './subscriptions/admin.handlers';
import { PARTNER_SUBSCRIPTION_HANDLERS } from './subscriptions/partner.handlers';
import { PUBLISHER_SUBSCRIPTION_HANDLERS } from './subscriptions/publisher.handlers';
import { SYSTEM_SUBSCRIPTION_HANDLERS } from './subscriptions/system.handlers';
import { NOTIFICATION_HANDLERS } from './notifications/notification.handlers';
import { READ_HANDLERS } from './read.handlers';
import { BusinessTime } from './test-clocks/business-time';
import { TEST_CLOCK_HANDLERS } from './test-clocks/test-clock.handlers';
import { TIMER_HANDLERS } from './timers/timer.handlers';

/** Every use case, for every process: the api and the worker run the same handler where both can cause a change. */
const HANDLERS = [
  ...CUSTOMER_HANDLERS, ...ORDER_HANDLERS, ...PARTNER_SUBSCRIPTION_HANDLERS, ...PUBLISHER_SUBSCRIPTION_HANDLERS, ...SYSTEM_SUBSCRIPTION_HANDLERS,
  ...ADMIN_SUBSCRIPTION_HANDLERS,
  ...READ_HANDLERS,
  ...NOTIFICATION_HANDLERS,
  ...TIMER_HANDLERS,
  ...TEST_CLOCK_HANDLERS,
  ...BILLING_HANDLERS,
  ...INVOICE_HANDLERS,
];

/** The command and query buses, their handlers, and the one executor the command handlers append through. */
@Global()
@Module({})
export class ApplicationModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ApplicationModule,
      imports: [CqrsModule.forRoot(), KeysModule, NotificationsStoreModule],
      providers: [CommandExecutor, StreamStates, BusinessTime, LifecycleLogger, ActivationLinks, UnbilledPeriods, { provide: Clock, useValue: clock }, ...HANDLERS],
      exports: [CqrsModule, KeysModule, CommandExecutor, StreamStates, ActivationLinks, Clock, LifecycleLogger, UnbilledPeriods],
    };
  }
}
