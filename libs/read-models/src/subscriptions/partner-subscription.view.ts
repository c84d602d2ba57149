import type { ExistingSubscription, SubscriptionOperation } from '@mfh/domain';
import type { SubscriptionRow } from './subscription.row';

export interface OperationView {
  id: string;
  action: string;
  status: string;
  quantity: number;
  requestedAt: string;
  completedAt: string | null;
}

/** A subscription as a reseller partner sees it (Partner Center's subscription resource, SPEC §4). */
export interface PartnerSubscriptionView {
  id: string;
  customerId: string;
  orderId: string;
  lineItemNumber: number;
  offerId: string;
  offerName: string;
  planId: string;
  publisherId: string;
  publisherName: string;
  friendlyName: string;
  quantity: number;
  status: 'pending' | 'active' | 'suspended' | 'deleted';
  attentionNeeded: boolean;
  actionNeeded: { reason: string; url: string; blockedOperations: string[] } | null;
  activationLink: string | null;
  licensesAssigned: boolean;
  fulfillmentConfirmed: boolean;
  billingStartDate: string | null;
  termDuration: string;
  billingCycle: string;
  commitmentEndDate: string | null;
  autoRenewEnabled: boolean;
  partnerId: string | null;
  cancellationAllowedUntilDate: string;
  creationDate: string;
  pendingOperations: OperationView[];
}

export function operationView(op: SubscriptionOperation): OperationView {
  return {
    id: op.id,
    action: op.action,
    status: op.status,
    quantity: op.quantity,
    requestedAt: op.requestedAt,
    completedAt: op.completedAt,
  };
}

/** What the partner's view is made of, from the command side's state or from a list row alike. */
export type PartnerViewSource = Omit<SubscriptionRow, 'key' | 'revision' | 'partnerId' | 'termStart'> & { id: string };

/**
 * A subscription as the partner sees it. `activationLink` (the publisher's landing page with a fresh
 * code) is shown only while pending.
 */
export function partnerSubscriptionOf(source: PartnerViewSource, activationLink: string | null = null): PartnerSubscriptionView {
  return {
    id: source.id,
    customerId: source.customerId,
    orderId: source.orderId,
    lineItemNumber: source.lineItemNumber,
    offerId: source.offerId,
    offerName: source.offerName,
    planId: source.planId,
    publisherId: source.publisherId,
    publisherName: source.publisherName,
    friendlyName: source.friendlyName,
    quantity: source.quantity,
    status: source.status,
    // Partner Center's "Action needed": the partner has to follow the activation link, or answer the publisher (SPEC §4).
    attentionNeeded: source.status === 'pending' || source.action !== null,
    actionNeeded: source.action ? { ...source.action, blockedOperations: [...source.action.blockedOperations] } : null,
    activationLink: source.status === 'pending' ? activationLink : null,
    licensesAssigned: source.licensesAssigned,
    fulfillmentConfirmed: source.fulfillmentConfirmed,
    billingStartDate: source.billingStartDate,
    termDuration: source.termDuration,
    billingCycle: source.billingCycle,
    commitmentEndDate: source.termEnd,
    autoRenewEnabled: source.autoRenewEnabled,
    partnerId: source.indirectResellerId,
    cancellationAllowedUntilDate: source.cancellationAllowedUntil,
    creationDate: source.purchasedAt,
    pendingOperations: source.pendingOperations.map((op) => ({
      id: op.id,
      action: op.action,
      status: 'InProgress',
      quantity: op.quantity,
      requestedAt: op.requestedAt,
      completedAt: null,
    })),
  };
}

/** The partner's view of the command side's state; `activationLink` is asked only while pending. */
export function partnerSubscriptionView(
  state: ExistingSubscription,
  activationLink: (state: ExistingSubscription) => string | null = () => null,
): PartnerSubscriptionView {
  const billing = state.status === 'pending' ? null : state.billing;
  return partnerSubscriptionOf(
    {
      ...state,
      licensesAssigned: state.licensesAssigned !== null,
      billingStartDate: billing?.startDate ?? null,
      termEnd: billing?.termEnd ?? null,
      pendingOperations: state.operations
        .filter((op) => op.status === 'InProgress')
        .map(({ id, action, quantity, requestedAt }) => ({ id, action, quantity, requestedAt })),
    },
    state.status === 'pending' ? activationLink(state) : null,
  );
}
