import { addDays, fromCents, nextBillingCycleOf } from '@mfh/domain';
import type { Cents, ExistingSubscription, NextTermInstructionsData, SubscriptionOperation } from '@mfh/domain';
import type { SubscriptionRow, TermCharges } from './subscription.row';

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
  /** Partner Center's `suspensionReasons`, while suspended; null otherwise. */
  suspensionReasons: string[] | null;
  /** Partner Center's `isTrial`: in its free trial. */
  isTrial: boolean;
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
  /** The day the next charge falls: the next billing cycle's start, or the renewal day; null when nothing more will be charged. */
  nextChargeDate: string | null;
  /** Two decimals: the sum of the current term's charge lines so far. */
  currentTermCharged: string;
  /** Partner Center's `scheduledNextTermInstructions`: what the next renewal changes, fully resolved; null when it renews as it is. */
  scheduledNextTermInstructions: NextTermInstructionsData | null;
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

/**
 * What the partner's view is made of, from the command side's state or from a list row alike; the
 * row itself is one (the id and the charged sum come apart: a copy of its thirty-odd fields to rename
 * two cost more than the rest of the view).
 */
export type PartnerViewSource = Omit<SubscriptionRow, 'key' | 'revision' | 'partnerId' | 'termCharges'>;

/**
 * When the next charge falls: the next cycle of a term billed in several, else the renewal day (the
 * day after the term's last) while auto-renew is on. Null before billing starts and once it is over.
 */
export function nextChargeDateOf(source: Pick<PartnerViewSource, 'status' | 'billingCycle' | 'termStart' | 'termEnd' | 'cycleStart' | 'autoRenewEnabled'>): string | null {
  const { termStart, termEnd, cycleStart } = source;
  if (source.status !== 'active' || termStart === null || termEnd === null || cycleStart === null) return null;
  const next = nextBillingCycleOf({ termStart, termEnd, billingCycle: source.billingCycle }, cycleStart);
  if (next) return next.start;
  return source.autoRenewEnabled ? addDays(termEnd, 1) : null;
}

/** The sum of the term's recorded lines, when they are those of the term starting on `termStart`; 0 before its first. */
export function termChargedOf(charges: TermCharges | null, termStart: string | null): Cents {
  if (charges === null || charges.termStart !== termStart) return 0;
  return Object.values(charges.amounts).reduce((sum, amount) => sum + amount, 0);
}

/**
 * A subscription as the partner sees it. `activationLink` (the publisher's landing page with a fresh
 * code) is shown only while pending.
 */
export function partnerSubscriptionOf(
  source: PartnerViewSource,
  id: string,
  currentTermCharged: Cents,
  activationLink: string | null = null,
): PartnerSubscriptionView {
  return {
    id,
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
    suspensionReasons: source.suspensionReasons ? [...source.suspensionReasons] : null,
    isTrial: source.isTrial,
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
    // A free trial can be cancelled until it converts (Partner Center: the term's end when it can be cancelled at any time).
    cancellationAllowedUntilDate: source.isTrial && source.termEnd !== null ? `${source.termEnd}T23:59:59.999Z` : source.cancellationAllowedUntil,
    creationDate: source.purchasedAt,
    pendingOperations: source.pendingOperations.map((op) => ({
      id: op.id,
      action: op.action,
      status: 'InProgress',
      quantity: op.quantity,
      requestedAt: op.requestedAt,
      completedAt: null,
    })),
    nextChargeDate: nextChargeDateOf(source),
    currentTermCharged: fromCents(currentTermCharged),
    scheduledNextTermInstructions: nextTermInstructionsOf(source.scheduledNextTerm),
  };
}

/** What was scheduled, as the PATCH sends it: the price it locked is the event's, not the view's. */
function nextTermInstructionsOf(scheduled: PartnerViewSource['scheduledNextTerm']): NextTermInstructionsData | null {
  if (scheduled === null) return null;
  const { planId, quantity, termDuration, billingCycle } = scheduled;
  return { planId, quantity, termDuration, billingCycle };
}

/**
 * The partner's view of the command side's state; `activationLink` is asked only while pending.
 * `currentTermCharged` (cents) is what the charge events of the current term sum to, which the state does not hold.
 */
export function partnerSubscriptionView(
  state: ExistingSubscription,
  activationLink: (state: ExistingSubscription) => string | null = () => null,
  currentTermCharged: Cents = 0,
): PartnerSubscriptionView {
  const billing = state.status === 'pending' ? null : state.billing;
  return partnerSubscriptionOf(
    // Field by field, not a spread of the state with overrides: V8 builds that copy several times slower.
    {
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
      termDuration: state.termDuration,
      billingCycle: state.billingCycle,
      autoRenewEnabled: state.autoRenewEnabled,
      indirectResellerId: state.indirectResellerId,
      purchasedAt: state.purchasedAt,
      cancellationAllowedUntil: state.cancellationAllowedUntil,
      fulfillmentConfirmed: state.fulfillmentConfirmed,
      action: state.action,
      testClockId: state.testClockId,
      scheduledNextTerm: state.scheduledNextTerm,
      licensesAssigned: state.licensesAssigned !== null,
      billingStartDate: billing?.startDate ?? null,
      termStart: billing?.termStart ?? null,
      termEnd: billing?.termEnd ?? null,
      cycleStart: billing?.cycleStart ?? null,
      suspensionReasons: state.status === 'suspended' ? state.suspension.reasons : null,
      isTrial: state.isFreeTrial,
      pendingOperations: state.operations
        .filter((op) => op.status === 'InProgress')
        .map(({ id, action, quantity, requestedAt }) => ({ id, action, quantity, requestedAt })),
    },
    state.id,
    currentTermCharged,
    state.status === 'pending' ? activationLink(state) : null,
  );
}
