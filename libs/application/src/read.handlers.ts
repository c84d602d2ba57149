import type { Type } from '@nestjs/common';
import { AUDIT_HANDLERS } from './audit/audit.handlers';
import { ListCustomersHandler } from './customers/list-customers/list-customers.handler';
import { ListOrdersHandler } from './orders/list-orders/list-orders.handler';
import { ListCustomerSubscriptionsHandler } from './subscriptions/list-customer-subscriptions/list-customer-subscriptions.handler';
import { ListPublisherSubscriptionsHandler } from './subscriptions/list-publisher-subscriptions/list-publisher-subscriptions.handler';

/** The lists, read from the read models. */
export const LIST_HANDLERS: Type[] = [ListCustomersHandler, ListOrdersHandler, ListCustomerSubscriptionsHandler, ListPublisherSubscriptionsHandler];

/** Every query over the read models and the whole log: the lists and the auditor's reads. */
export const READ_HANDLERS: Type[] = [...LIST_HANDLERS, ...AUDIT_HANDLERS];
