import type { SubscriptionState } from '@mfh/domain';
import { SaasOperation, saasOperationView, SaasSubscription, saasSubscriptionView } from './saas-subscription.view';

/** Events a publisher hears about; each starts or finishes the operation its `operationId` names. */
export const NOTIFYING_EVENTS: ReadonlySet<string> = new Set([
  'SeatChangeRequested',
  'PlanChangeRequested',
  'Cancelled',
  'SubscriptionExpired',
  'SubscriptionRenewed',
  'SubscriptionSuspended',
  'ReinstatementRequested',
  // A plan or seat change the renewal applied from scheduled instructions: ChangePlan or ChangeQuantity, Succeeded.
  'NextTermChangeApplied',
]);

/**
 * Microsoft's webhook payload (DOMAIN.md §3): the operation as Get Operation shows it, and the
 * subscription as the fulfillment API shows it, both as they stood right after the event.
 */
export interface PublisherNotification extends SaasOperation {
  subscription: SaasSubscription;
  purchaseToken: null;
}

/** The notification of operation `operationId` in `state`; null when the state has no such operation. */
export function publisherNotification(state: SubscriptionState, operationId: string): PublisherNotification | null {
  if (state.status === 'none') return null;
  const operation = state.operations.find((op) => op.id === operationId);
  if (!operation) return null;
  return {
    ...saasOperationView(state, operation),
    subscription: saasSubscriptionView(state),
    purchaseToken: null,
  };
}
