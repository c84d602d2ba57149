import type { Type } from '@nestjs/common';
import { AcceptUnansweredOperationHandler } from './accept-unanswered-operation/accept-unanswered-operation.handler';
import { ApplyPublisherCallbackHandler } from './apply-publisher-callback/apply-publisher-callback.handler';
import { ExpireSuspensionHandler } from './expire-suspension/expire-suspension.handler';
import { ListBillingCyclesDueHandler } from './list-billing-cycles-due/list-billing-cycles-due.handler';
import { ListPublisherNotificationsHandler } from './list-publisher-notifications/list-publisher-notifications.handler';
import { RejectOperationOnWebhookAnswerHandler } from './reject-operation-on-webhook-answer/reject-operation-on-webhook-answer.handler';
import { RenewSubscriptionHandler } from './renew-subscription/renew-subscription.handler';
import { StartBillingHandler } from './start-billing/start-billing.handler';
import { StartBillingCycleHandler } from './start-billing-cycle/start-billing-cycle.handler';

/**
 * The use cases the marketplace itself runs on subscriptions: publishers' callbacks, billing and its
 * cycles, timeouts, notifications and their answers, renewals, the grace of suspensions.
 */
export const SYSTEM_SUBSCRIPTION_HANDLERS: Type[] = [
  ApplyPublisherCallbackHandler,
  StartBillingHandler,
  AcceptUnansweredOperationHandler,
  RejectOperationOnWebhookAnswerHandler,
  RenewSubscriptionHandler,
  StartBillingCycleHandler,
  ExpireSuspensionHandler,
  ListBillingCyclesDueHandler,
  ListPublisherNotificationsHandler,
];
