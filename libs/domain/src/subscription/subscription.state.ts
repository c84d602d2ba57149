import { billingCyclesOf } from '../billing/billing-cycles';
import type { TermDuration } from '../shared/time';
import type { BillingCycle, NextTermScheduled, OperationAction, Requester, SubscriptionEvent, SuspensionReason } from './subscription.events';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

/**
 * An operation in the fulfillment API's sense. Changes wait InProgress for the publisher (accepted,
 * rejected, or accepted after a timeout); cancellations and renewals are recorded as done.
 */
export interface SubscriptionOperation {
  id: string;
  action: OperationAction;
  status: OperationStatus;
  /** The plan and quantity the operation leads to. */
  planId: string;
  quantity: number;
  requestedBy: Requester;
  requestedAt: string;
  completedAt: string | null;
  reason: string | null;
  /** A plan change's new price per seat per term, when its request recorded one. */
  unitPrice?: string;
}

export interface PublisherAction {
  reason: string;
  url: string;
  blockedOperations: string[];
}

export interface Billing {
  startDate: string;
  termStart: string;
  termEnd: string;
  quantity: number;
  unitPrice: string;
  currency: string;
  chargedAmount: string;
  /** The billing cycle being billed: the term's first, or the last BillingCycleStarted. */
  cycleStart: string;
  cycleEnd: string;
}

interface SubscriptionFields {
  id: string;
  customerId: string;
  partnerId: string;
  orderId: string;
  lineItemNumber: number;
  offerId: string;
  offerName: string;
  planId: string;
  publisherId: string;
  publisherName: string;
  friendlyName: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  autoRenewEnabled: boolean;
  indirectResellerId: string | null;
  unitPrice: string;
  currency: string;
  purchasedAt: string;
  cancellationAllowedUntil: string;
  /** The publisher's LicensesAssigned callback, once it came. */
  licensesAssigned: { assignedSeats: number } | null;
  /** The publisher confirmed fulfilment through the fulfillment API (Activate). */
  fulfillmentConfirmed: boolean;
  action: PublisherAction | null;
  /** When the publisher signed the last action change applied; older ones are stale. */
  actionSignedAt: string | null;
  operations: SubscriptionOperation[];
  /** The sandbox clock it lives on (SPEC §14); null on the wall clock. */
  testClockId: string | null;
  /** Bought as a free trial of this length; kept after it converts. */
  freeTrial: { duration: TermDuration } | null;
  /** In its free trial: bought as one, not converted yet. */
  isFreeTrial: boolean;
  /** What the next renewal changes, as scheduled (with the new term's price); null when it renews as it is. */
  scheduledNextTerm: ScheduledNextTerm | null;
}

/** Changes at renewal, fully resolved, with the price locked when they were scheduled. */
export type ScheduledNextTerm = NextTermScheduled['data'];

/** Why and since when a subscription is suspended, and when its grace runs out. */
export interface Suspension {
  operationId: string;
  reasons: SuspensionReason[];
  suspendedAt: string;
  graceEndsAt: string;
}

export type PendingSubscription = SubscriptionFields & { status: 'pending' };
export type ActiveSubscription = SubscriptionFields & { status: 'active'; billing: Billing };
/** Only a subscription whose billing runs can be suspended, so it has a term; its cycles are not charged while it lasts. */
export type SuspendedSubscription = SubscriptionFields & { status: 'suspended'; billing: Billing; suspension: Suspension };
export type DeletedSubscription = SubscriptionFields & {
  status: 'deleted';
  billing: Billing | null;
  cancelledAt: string;
  cancelledBy: Requester;
  refund: { amount: string; currency: string } | null;
};
export type ExistingSubscription = PendingSubscription | ActiveSubscription | SuspendedSubscription | DeletedSubscription;
/** A subscription with a term: billed, or suspended. */
export type BilledSubscription = ActiveSubscription | SuspendedSubscription;

export const hasTerm = (state: SubscriptionState): state is BilledSubscription => state.status === 'active' || state.status === 'suspended';
export type SubscriptionState = { status: 'none' } | ExistingSubscription;

export const initialSubscriptionState = (): SubscriptionState => ({ status: 'none' });

export function pendingOperation(state: ExistingSubscription): SubscriptionOperation | null {
  return state.operations.find((op) => op.status === 'InProgress') ?? null;
}

export function evolveSubscription(state: SubscriptionState, event: SubscriptionEvent): SubscriptionState {
  if (event.type === 'SubscriptionPurchased') {
    const d = event.data;
    return {
      status: 'pending',
      id: d.subscriptionId,
      customerId: d.customerId,
      partnerId: d.partnerId,
      orderId: d.orderId,
      lineItemNumber: d.lineItemNumber,
      offerId: d.offerId,
      offerName: d.offerName,
      planId: d.planId,
      publisherId: d.publisherId,
      publisherName: d.publisherName,
      friendlyName: d.friendlyName,
      quantity: d.quantity,
      termDuration: d.termDuration,
      billingCycle: d.billingCycle,
      autoRenewEnabled: d.autoRenewEnabled,
      indirectResellerId: d.indirectResellerId,
      unitPrice: d.unitPrice,
      currency: d.currency,
      purchasedAt: d.purchasedAt,
      cancellationAllowedUntil: d.cancellationAllowedUntil,
      licensesAssigned: null,
      fulfillmentConfirmed: false,
      action: null,
      actionSignedAt: null,
      operations: [],
      testClockId: d.testClockId ?? null,
      freeTrial: d.freeTrial ? { duration: d.freeTrial.duration } : null,
      isFreeTrial: d.freeTrial !== undefined,
      scheduledNextTerm: null,
    };
  }
  if (state.status === 'none') return state;

  switch (event.type) {
    case 'SubscriptionRenamed':
      return { ...state, friendlyName: event.data.friendlyName };
    case 'SeatsChanged': {
      const { operationId, quantity, changedAt } = event.data;
      return {
        ...state,
        quantity,
        operations: finishOperation(state.operations, operationId, 'Succeeded', changedAt, null),
      };
    }
    case 'SeatChangeRequested': {
      const d = event.data;
      return { ...state, operations: [...state.operations, waiting(d.operationId, 'ChangeQuantity', state.planId, d.quantity, d.requestedBy, d.requestedAt)] };
    }
    case 'SeatChangeRejected': {
      const d = event.data;
      return { ...state, operations: finishOperation(state.operations, d.operationId, 'Failed', d.rejectedAt, d.reason) };
    }
    case 'PlanChangeRequested': {
      const d = event.data;
      const operation = waiting(d.operationId, 'ChangePlan', d.planId, state.quantity, d.requestedBy, d.requestedAt);
      return { ...state, operations: [...state.operations, d.unitPrice === undefined ? operation : { ...operation, unitPrice: d.unitPrice }] };
    }
    case 'PlanChanged': {
      const d = event.data;
      const operations = finishOperation(state.operations, d.operationId, 'Succeeded', d.changedAt, null);
      if (d.unitPrice === undefined) return { ...state, planId: d.planId, operations };
      const priced = { ...state, planId: d.planId, unitPrice: d.unitPrice, operations };
      return hasTerm(priced) ? { ...priced, billing: { ...priced.billing, unitPrice: d.unitPrice } } : priced;
    }
    case 'PlanChangeRejected': {
      const d = event.data;
      return { ...state, operations: finishOperation(state.operations, d.operationId, 'Failed', d.rejectedAt, d.reason) };
    }
    case 'CancellationRequested': {
      const d = event.data;
      return { ...state, operations: [...state.operations, waiting(d.operationId, 'Unsubscribe', state.planId, state.quantity, d.requestedBy, d.requestedAt)] };
    }
    case 'CancellationRejected': {
      const d = event.data;
      return { ...state, operations: finishOperation(state.operations, d.operationId, 'Failed', d.rejectedAt, d.reason) };
    }
    case 'AutoRenewDisabled':
      return { ...state, autoRenewEnabled: false };
    case 'AutoRenewEnabled':
      return { ...state, autoRenewEnabled: true };
    case 'IndirectResellerAssigned':
      return { ...state, indirectResellerId: event.data.mpnId };
    case 'IndirectResellerRemoved':
      return { ...state, indirectResellerId: null };
    case 'PublisherActivated':
      return { ...state, licensesAssigned: { assignedSeats: event.data.assignedSeats } };
    case 'FulfillmentConfirmed':
      return { ...state, fulfillmentConfirmed: true };
    case 'BillingStarted': {
      if (state.status !== 'pending') return state;
      const d = event.data;
      const cycle = billingCyclesOf(d)[0];
      const billing: Billing = {
        startDate: d.termStart,
        termStart: d.termStart,
        termEnd: d.termEnd,
        quantity: d.quantity,
        unitPrice: d.unitPrice,
        currency: d.currency,
        chargedAmount: d.chargedAmount,
        cycleStart: cycle.start,
        cycleEnd: cycle.end,
      };
      return { ...state, status: 'active', billing };
    }
    case 'BillingCycleStarted':
    case 'BillingCycleSkipped': {
      if (!hasTerm(state) || event.data.cycleStart <= state.billing.cycleStart) return state;
      return { ...state, billing: { ...state.billing, cycleStart: event.data.cycleStart, cycleEnd: event.data.cycleEnd } };
    }
    case 'SubscriptionSuspended': {
      if (state.status !== 'active') return state;
      const d = event.data;
      const operations = [
        ...finishOperation(state.operations, d.abandonedOperationId, 'Failed', d.suspendedAt, 'Subscription suspended'),
        done(d.operationId, 'Suspend', state.planId, state.quantity, d.requestedBy, d.suspendedAt),
      ];
      const suspension: Suspension = { operationId: d.operationId, reasons: [...d.reasons], suspendedAt: d.suspendedAt, graceEndsAt: d.graceEndsAt };
      return { ...state, status: 'suspended', suspension, operations };
    }
    case 'ReinstatementRequested': {
      const d = event.data;
      return { ...state, operations: [...state.operations, waiting(d.operationId, 'Reinstate', state.planId, state.quantity, d.requestedBy, d.requestedAt)] };
    }
    case 'SubscriptionReinstated': {
      const d = event.data;
      const operations = finishOperation(state.operations, d.operationId, 'Succeeded', d.reinstatedAt, null);
      if (state.status !== 'suspended') return { ...state, operations };
      const { suspension: _over, ...rest } = state;
      return { ...rest, status: 'active', operations };
    }
    case 'TrialConverted': {
      const { unitPrice, cancellationAllowedUntil } = event.data;
      const converted = { ...state, isFreeTrial: false, cancellationAllowedUntil };
      return hasTerm(converted) ? { ...converted, billing: { ...converted.billing, unitPrice } } : converted;
    }
    case 'ReinstatementRejected': {
      const d = event.data;
      return { ...state, operations: finishOperation(state.operations, d.operationId, 'Failed', d.rejectedAt, d.reason) };
    }
    case 'PublisherActionRequired': {
      const { reason, url, blockedOperations, signedAt } = event.data;
      return { ...state, action: { reason, url, blockedOperations: [...blockedOperations] }, actionSignedAt: signedAt };
    }
    case 'PublisherActionResolved':
      return { ...state, action: null, actionSignedAt: event.data.signedAt };
    case 'Cancelled': {
      const d = event.data;
      let operations = d.abandonedOperationId
        ? finishOperation(state.operations, d.abandonedOperationId, 'Failed', d.cancelledAt, 'Subscription cancelled')
        : state.operations;
      operations = operations.some((op) => op.id === d.operationId)
        ? finishOperation(operations, d.operationId, 'Succeeded', d.cancelledAt, null)
        : [...operations, done(d.operationId, 'Unsubscribe', state.planId, state.quantity, d.requestedBy, d.cancelledAt)];
      return ended(state, { at: d.cancelledAt, by: d.requestedBy, refund: d.refund, operations });
    }
    case 'SubscriptionRenewed': {
      if (!hasTerm(state)) return state;
      const d = event.data;
      // Scheduled instructions the renewal applied name the new term's plan, length, billing and price; otherwise they stay.
      const planId = d.planId ?? state.planId;
      const termDuration = d.termDuration ?? state.termDuration;
      const billingCycle = d.billingCycle ?? state.billingCycle;
      const unitPrice = d.unitPrice ?? state.unitPrice;
      const cycle = billingCyclesOf({ termStart: d.termStart, termEnd: d.termEnd, billingCycle })[0];
      return {
        ...state,
        planId,
        quantity: d.quantity,
        termDuration,
        billingCycle,
        unitPrice,
        scheduledNextTerm: null,
        billing: {
          ...state.billing,
          termStart: d.termStart,
          termEnd: d.termEnd,
          quantity: d.quantity,
          ...(d.unitPrice === undefined ? {} : { unitPrice: d.unitPrice }),
          chargedAmount: d.chargedAmount,
          cycleStart: cycle.start,
          cycleEnd: cycle.end,
        },
        operations: [...state.operations, done(d.operationId, 'Renew', planId, d.quantity, 'System', d.renewedAt)],
      };
    }
    case 'NextTermScheduled':
      return { ...state, scheduledNextTerm: { ...event.data } };
    case 'NextTermScheduleCleared':
      return { ...state, scheduledNextTerm: null };
    case 'NextTermChangeApplied': {
      const d = event.data;
      return { ...state, operations: [...state.operations, done(d.operationId, d.action, d.planId, d.quantity, 'System', d.appliedAt)] };
    }
    case 'SubscriptionExpired': {
      const d = event.data;
      // A change still waiting for the publisher ends with the subscription: there is nothing left to change.
      const waitingFor = pendingOperation(state);
      const abandoned = waitingFor ? finishOperation(state.operations, waitingFor.id, 'Failed', d.expiredAt, 'Subscription expired') : state.operations;
      const operations = [...abandoned, done(d.operationId, 'Unsubscribe', state.planId, state.quantity, 'System', d.expiredAt)];
      return ended(state, { at: d.expiredAt, by: 'System', refund: null, operations });
    }
    default:
      return exhaustive(event, state);
  }
}

function waiting(
  id: string,
  action: OperationAction,
  planId: string,
  quantity: number,
  requestedBy: Requester,
  requestedAt: string,
): SubscriptionOperation {
  return { id, action, status: 'InProgress', planId, quantity, requestedBy, requestedAt, completedAt: null, reason: null };
}

function done(id: string, action: OperationAction, planId: string, quantity: number, requestedBy: Requester, at: string): SubscriptionOperation {
  return { id, action, status: 'Succeeded', planId, quantity, requestedBy, requestedAt: at, completedAt: at, reason: null };
}

function ended(
  state: ExistingSubscription,
  end: { at: string; by: Requester; refund: DeletedSubscription['refund']; operations: SubscriptionOperation[] },
): DeletedSubscription {
  const { suspension: _over, ...fields } = state as ExistingSubscription & { suspension?: Suspension };
  return {
    ...fields,
    status: 'deleted',
    billing: state.status === 'pending' ? null : state.billing,
    cancelledAt: end.at,
    cancelledBy: end.by,
    refund: end.refund,
    action: null,
    operations: end.operations,
    scheduledNextTerm: null,
  };
}

function finishOperation(
  operations: SubscriptionOperation[],
  operationId: string | null,
  status: OperationStatus,
  at: string,
  reason: string | null,
): SubscriptionOperation[] {
  if (operationId === null) return operations;
  return operations.map((op) => (op.id === operationId ? { ...op, status, completedAt: at, reason } : op));
}

/** Unknown event types (from a newer writer) leave the state as it is. */
function exhaustive(_event: never, state: SubscriptionState): SubscriptionState {
  return state;
}
