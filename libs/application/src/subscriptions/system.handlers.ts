import type { Type } from '@nestjs/common';
import { AcceptUnansweredOperationHandler } from './accept-unanswered-operation/accept-unanswered-operation.handler';
import { ApplyPublisherCallbackHandler } from './apply-publisher-callback/apply-publisher-callback.handler';
import { ListPublisherNotificationsHandler } from './list-publisher-notifications/list-publisher-notifications.handler';
import { RejectOperationOnWebhookAnswerHandler } from './reject-operation-on-webhook-answer/reject-operation-on-webhook-answer.handler';
import { RenewSubscriptionHandler } from './renew-subscription/renew-subscription.handler';
import { StartBillingHandler } from './start-billing/start-billing.handler';

/** The use cases the worker runs on subscriptions: publishers' callbacks, billing, timeouts, notifications and their answers, renewals. */
export const SYSTEM_SUBSCRIPTION_HANDLERS: Type[] = [
  ApplyPublisherCallbackHandler,
  StartBillingHandler,
  AcceptUnansweredOperationHandler,
  RejectOperationOnWebhookAnswerHandler,
  RenewSubscriptionHandler,
  ListPublisherNotificationsHandler,
];
