import type { Type } from '@nestjs/common';
import { ActivateSubscriptionHandler } from './activate-subscription/activate-subscription.handler';
import { AnswerOperationHandler } from './answer-operation/answer-operation.handler';
import { ChangeSaasSubscriptionHandler } from './change-saas-subscription/change-saas-subscription.handler';
import { GetSaasOperationHandler } from './get-saas-operation/get-saas-operation.handler';
import { GetSaasSubscriptionHandler } from './get-saas-subscription/get-saas-subscription.handler';
import { ListAvailablePlansHandler } from './list-available-plans/list-available-plans.handler';
import { ListSaasOperationsHandler } from './list-saas-operations/list-saas-operations.handler';
import { RequestCancellationHandler } from './request-cancellation/request-cancellation.handler';
import { ResolveSubscriptionHandler } from './resolve-subscription/resolve-subscription.handler';

/** The publisher's use cases on subscriptions (Microsoft's SaaS Fulfillment API v2). */
export const PUBLISHER_SUBSCRIPTION_HANDLERS: Type[] = [
  ResolveSubscriptionHandler,
  GetSaasSubscriptionHandler,
  ListAvailablePlansHandler,
  ListSaasOperationsHandler,
  GetSaasOperationHandler,
  ActivateSubscriptionHandler,
  ChangeSaasSubscriptionHandler,
  RequestCancellationHandler,
  AnswerOperationHandler,
];
