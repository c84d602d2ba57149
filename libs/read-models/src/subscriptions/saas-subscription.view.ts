import { FREE_TRIAL_DURATION } from '@mfh/domain';
import type { BillingCycle, ExistingSubscription, Requester, SubscriptionOperation, TermDuration } from '@mfh/domain';
import { BoundedCache, derivedId } from '@mfh/event-store';

/** Microsoft's `AadIdentifier`: every member optional, and only what this system can vouch for is filled in. */
export interface AadIdentifier {
  emailId?: string;
  objectId?: string;
  tenantId?: string;
  puid?: string;
}

export type SaasSubscriptionStatus = 'PendingFulfillmentStart' | 'Subscribed' | 'Suspended' | 'Unsubscribed';

export interface SaasTerm {
  /** Microsoft's TermUnit: P1M to P5Y; this marketplace sells up to P3Y. */
  termUnit: TermDuration;
  startDate?: string;
  endDate?: string;
  chargeDuration?: string;
}

/** Microsoft's `Subscription` schema (SaaS Fulfillment API v2). */
export interface SaasSubscription {
  id: string;
  publisherId: string;
  offerId: string;
  name: string;
  saasSubscriptionStatus: SaasSubscriptionStatus;
  beneficiary: AadIdentifier;
  purchaser: AadIdentifier;
  planId: string;
  quantity: number;
  term: SaasTerm;
  autoRenew: boolean;
  isTest: boolean;
  isFreeTrial: boolean;
  allowedCustomerOperations: ('Read' | 'Update' | 'Delete')[];
  sandboxType: 'None' | 'Csp';
  sessionMode: 'None' | 'DryRun';
  created: string;
}

/** Microsoft's `ResolvedSubscription`: what an authorization code stands for. */
export interface ResolvedSubscription {
  id: string;
  subscriptionName: string;
  offerId: string;
  planId: string;
  quantity: number;
  subscription: SaasSubscription;
}

export type OperationRequestSource = 'Azure' | 'Partner';

/** Microsoft's `SaaSOperation`, plus `operationRequestSource` as its webhook payload carries it. */
export interface SaasOperation {
  id: string;
  activityId: string;
  subscriptionId: string;
  offerId: string;
  publisherId: string;
  planId: string;
  quantity: number;
  action: SubscriptionOperation['action'];
  timeStamp: string;
  status: SubscriptionOperation['status'];
  operationRequestSource: OperationRequestSource;
}

const STATUS: Record<ExistingSubscription['status'], SaasSubscriptionStatus> = {
  pending: 'PendingFulfillmentStart',
  active: 'Subscribed',
  suspended: 'Suspended',
  deleted: 'Unsubscribed',
};

/** How often the term is charged, as the ISO duration Microsoft's `chargeDuration` uses: upfront, once per term. */
const chargeDurationOf = (billingCycle: BillingCycle, termDuration: TermDuration): string =>
  billingCycle === 'monthly' ? 'P1M' : billingCycle === 'annual' ? 'P1Y' : termDuration;

/**
 * What the fulfillment API's `Subscription` is drawn from: the command side's state or a list row
 * alike, each as it is (the id, the term and the trial flag, which they name differently, come apart:
 * a copy of the row's thirty-odd fields to rename them cost more than the rest of the view).
 */
export interface SaasSubscriptionSource {
  publisherId: string;
  offerId: string;
  friendlyName: string;
  status: ExistingSubscription['status'];
  customerId: string;
  partnerId: string;
  planId: string;
  quantity: number;
  termDuration: ExistingSubscription['termDuration'];
  billingCycle: ExistingSubscription['billingCycle'];
  autoRenewEnabled: boolean;
  purchasedAt: string;
  /** A test asset (SPEC §14): bought for a customer on a test clock. */
  testClockId: string | null;
}

/** The current term (`YYYY-MM-DD`), once billing has started. */
export type SaasViewTerm = { termStart: string; termEnd: string } | null;

export function saasSubscriptionStatus(subscription: Pick<ExistingSubscription, 'status'>): SaasSubscriptionStatus {
  return STATUS[subscription.status];
}

/**
 * The customer is the beneficiary. A Partner Center customer id is the customer's tenant id, so it
 * serves as `tenantId`; the user behind it is unknown here, so `objectId` is derived and there is no `emailId`.
 */
const identities = new BoundedCache<string, string>(10_000);

/** A derived AAD identifier, kept: a uuid v5 (SHA-1) per view was a twentieth of a fulfillment API read. */
function identity(kind: string, id: string): string {
  const key = `${kind}/${id}`;
  let found = identities.get(key);
  if (found === undefined) identities.set(key, (found = derivedId(kind, id)));
  return found;
}

export function beneficiaryOf(subscription: Pick<ExistingSubscription, 'customerId'>): AadIdentifier {
  return { tenantId: subscription.customerId, objectId: identity('beneficiary', subscription.customerId) };
}

/** The reseller partner is the purchaser (a CSP purchase); its tenant and object ids are derived from the partner id. */
export function purchaserOf(subscription: Pick<ExistingSubscription, 'partnerId'>): AadIdentifier {
  return { tenantId: identity('partner-tenant', subscription.partnerId), objectId: identity('partner', subscription.partnerId) };
}

/** Dates once billing has started (the term's first and last day, at midnight UTC); before that only the unit. */
function termOf(source: SaasSubscriptionSource, term: SaasViewTerm, isTrial: boolean): SaasTerm {
  // During a free trial the term running is the trial's, charged (at zero) once.
  const termUnit = isTrial ? FREE_TRIAL_DURATION : source.termDuration;
  if (!term) return { termUnit };
  return {
    termUnit,
    startDate: `${term.termStart}T00:00:00Z`,
    endDate: `${term.termEnd}T00:00:00Z`,
    chargeDuration: isTrial ? FREE_TRIAL_DURATION : chargeDurationOf(source.billingCycle, source.termDuration),
  };
}

/** `isTrial`: in its free trial, so the current term is the trial's (SPEC §13). */
export function saasSubscriptionOf(source: SaasSubscriptionSource, id: string, term: SaasViewTerm, isTrial: boolean): SaasSubscription {
  return {
    id,
    publisherId: source.publisherId,
    offerId: source.offerId,
    name: source.friendlyName,
    saasSubscriptionStatus: saasSubscriptionStatus(source),
    beneficiary: beneficiaryOf(source),
    purchaser: purchaserOf(source),
    planId: source.planId,
    quantity: source.quantity,
    term: termOf(source, term, isTrial),
    autoRenew: source.autoRenewEnabled,
    isTest: source.testClockId !== null,
    isFreeTrial: isTrial,
    // A CSP purchase: the customer may only read; the reseller changes it through Partner Center.
    allowedCustomerOperations: ['Read'],
    sandboxType: 'None',
    sessionMode: 'None',
    created: source.purchasedAt,
  };
}

export function saasSubscriptionView(state: ExistingSubscription): SaasSubscription {
  return saasSubscriptionOf(state, state.id, state.status === 'pending' ? null : state.billing, state.isFreeTrial);
}

export function resolvedSubscriptionView(state: ExistingSubscription): ResolvedSubscription {
  return {
    id: state.id,
    subscriptionName: state.friendlyName,
    offerId: state.offerId,
    planId: state.planId,
    quantity: state.quantity,
    subscription: saasSubscriptionView(state),
  };
}

/**
 * Microsoft's `activityId` ties together what one operation causes. It is derived from the operation
 * id, so the operation as read here and as notified to the publisher carry the same one.
 */
export function saasActivityId(operationId: string): string {
  return derivedId('operation-activity', operationId);
}

/** `Partner` when the reseller asked for it; the publisher's own requests and this system's count as `Azure` (the marketplace). */
export function operationRequestSource(requestedBy: Requester): OperationRequestSource {
  return requestedBy === 'Partner' ? 'Partner' : 'Azure';
}

export function saasOperationView(state: ExistingSubscription, operation: SubscriptionOperation): SaasOperation {
  return {
    id: operation.id,
    activityId: saasActivityId(operation.id),
    subscriptionId: state.id,
    offerId: state.offerId,
    publisherId: state.publisherId,
    planId: operation.planId,
    quantity: operation.quantity,
    action: operation.action,
    // When it last changed: its request while it waits, its outcome once it has one.
    timeStamp: operation.completedAt ?? operation.requestedAt,
    status: operation.status,
    operationRequestSource: operationRequestSource(operation.requestedBy),
  };
}
