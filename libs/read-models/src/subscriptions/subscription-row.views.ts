import type { PartnerSubscriptionView } from './partner-subscription.view';
import { SaasSubscription, saasSubscriptionOf } from './saas-subscription.view';
import type { SubscriptionRow } from './subscription.row';

/**
 * A list row as the partner sees it: the same view partnerSubscriptionView builds from the command
 * side's state (a spec holds the two together). `activationLink` is shown only while pending.
 */
export function partnerSubscriptionRowView(row: SubscriptionRow, activationLink: string | null = null): PartnerSubscriptionView {
  return {
    id: row.key,
    customerId: row.customerId,
    orderId: row.orderId,
    lineItemNumber: row.lineItemNumber,
    offerId: row.offerId,
    offerName: row.offerName,
    planId: row.planId,
    publisherId: row.publisherId,
    publisherName: row.publisherName,
    friendlyName: row.friendlyName,
    quantity: row.quantity,
    status: row.status,
    // Waiting for activation is Partner Center's "Action needed" too.
    attentionNeeded: row.status === 'pending' || row.action !== null,
    actionNeeded: row.action ? { ...row.action, blockedOperations: [...row.action.blockedOperations] } : null,
    activationLink: row.status === 'pending' ? activationLink : null,
    licensesAssigned: row.licensesAssigned,
    fulfillmentConfirmed: row.fulfillmentConfirmed,
    billingStartDate: row.billingStartDate,
    termDuration: row.termDuration,
    billingCycle: row.billingCycle,
    commitmentEndDate: row.termEnd,
    autoRenewEnabled: row.autoRenewEnabled,
    partnerId: row.indirectResellerId,
    cancellationAllowedUntilDate: row.cancellationAllowedUntil,
    creationDate: row.purchasedAt,
    pendingOperations: row.pendingOperations.map((op) => ({
      id: op.id,
      action: op.action,
      status: 'InProgress',
      quantity: op.quantity,
      requestedAt: op.requestedAt,
      completedAt: null,
    })),
  };
}

/** A list row as the publisher's fulfillment API shows it. */
export function saasSubscriptionRowView(row: SubscriptionRow): SaasSubscription {
  return saasSubscriptionOf({
    ...row,
    id: row.key,
    term: row.termStart !== null && row.termEnd !== null ? { termStart: row.termStart, termEnd: row.termEnd } : null,
  });
}
