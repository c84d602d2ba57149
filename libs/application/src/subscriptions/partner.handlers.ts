import type { Type } from '@nestjs/common';
import { GetOperationHandler } from './get-operation/get-operation.handler';
import { GetSubscriptionHandler } from './get-subscription/get-subscription.handler';
import { PurchaseSubscriptionHandler } from './purchase-subscription/purchase-subscription.handler';
import { UpdateSubscriptionHandler } from './update-subscription/update-subscription.handler';

/** The partner's use cases on subscriptions. */
export const PARTNER_SUBSCRIPTION_HANDLERS: Type[] = [UpdateSubscriptionHandler, PurchaseSubscriptionHandler, GetSubscriptionHandler, GetOperationHandler];
