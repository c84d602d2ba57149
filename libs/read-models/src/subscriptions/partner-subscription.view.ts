import type { ExistingSubscription, SubscriptionOperation } from '@mfh/domain';

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

/** `activationLink` is the publisher's landing page with a fresh code; only a pending subscription has one. */
export function partnerSubscriptionView(
  state: ExistingSubscription,
  activationLink: (state: ExistingSubscription) => string | null = () => null,
): PartnerSubscriptionView {
  const billing = state.status === 'pending' ? null : state.billing;
  return {
    id: state.id,
    customerId: state.customerId,
    orderId: state.orderId,
    lineItemNumber: state.lineItemNumber,
    offerId: state.offerId,
    offerName: state.offerName,
    planId: state.planId,
    publisherId: state.publisherId,
    publisherName: state.publisherName,
    friendlyName: state.friendlyName,
    quantity: state.quantity,
    status: state.status,
    // Partner Center's "Action needed": the partner has to follow the activation link, or answer the publisher (SPEC §4).
    attentionNeeded: state.status === 'pending' || state.action !== null,
    actionNeeded: state.action ? { ...state.action, blockedOperations: [...state.action.blockedOperations] } : null,
    activationLink: state.status === 'pending' ? activationLink(state) : null,
    licensesAssigned: state.licensesAssigned !== null,
    fulfillmentConfirmed: state.fulfillmentConfirmed,
    billingStartDate: billing?.startDate ?? null,
    termDuration: state.termDuration,
    billingCycle: state.billingCycle,
    commitmentEndDate: billing?.termEnd ?? null,
    autoRenewEnabled: state.autoRenewEnabled,
    partnerId: state.indirectResellerId,
    cancellationAllowedUntilDate: state.cancellationAllowedUntil,
    creationDate: state.purchasedAt,
    pendingOperations: state.operations.filter((op) => op.status === 'InProgress').map(operationView),
  };
}
