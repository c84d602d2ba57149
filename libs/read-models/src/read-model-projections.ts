import { customersProjection } from './customers/customers.projection';
import { invoicesProjection } from './invoices/invoices.projection';
import { ordersProjection } from './orders/orders.projection';
import type { Projection } from './projections/projection';
import { subscriptionsProjection } from './subscriptions/subscriptions.projection';
import { testClocksProjection } from './test-clocks/test-clocks.projection';
import { timersProjection } from './timers/timers.projection';

/** Every read model built from the log (the notification and reconciliation-export tables hold what was sent and asked for, and are not among them). */
export const readModelProjections: readonly Projection[] = [subscriptionsProjection, customersProjection, ordersProjection, timersProjection, testClocksProjection, invoicesProjection];
