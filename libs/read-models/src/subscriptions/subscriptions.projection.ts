import { SUBSCRIPTION_EVENT_TYPES, subscriptionIdOf } from '@mfh/domain';
import type { ChargeRecorded, OperationAction, SubscriptionEvent } from '@mfh/domain';
import { eventsOfType, Recorded } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import type { PendingOperationRow, SubscriptionRow, TermCharges } from './subscription.row';
import { subscriptionsTable } from './subscriptions.repository';

/** Every subscription event (each one changes something a list shows), and the charges recorded for one. */
export const subscriptionRowEvents = eventsOfType<SubscriptionEvent | ChargeRecorded>()(...SUBSCRIPTION_EVENT_TYPES, 'ChargeRecorded');

export type SubscriptionRowEvent = GuardedEvent<typeof subscriptionRowEvents>;

type ChargeRecordedEvent = Recorded<ChargeRecorded>;

type Change = Omit<SubscriptionRow, 'key' | 'revision'>;

/** The row after `event`: what the command side's `evolve` would leave, as far as the lists show it. */
export function evolveSubscriptionRow(row: SubscriptionRow | null, event: SubscriptionRowEvent): SubscriptionRow | null {
  if (event.type === 'SubscriptionPurchased') {
    const d = event.data;
    return {
      key: d.subscriptionId,
      revision: event.revision,
      partnerId: d.partnerId,
      customerId: d.customerId,
      orderId: d.orderId,
      lineItemNumber: d.lineItemNumber,
      offerId: d.offerId,
      offerName: d.offerName,
      planId: d.planId,
      publisherId: d.publisherId,
      publisherName: d.publisherName,
      friendlyName: d.friendlyName,
      quantity: d.quantity,
      status: 'pending',
      termDuration: d.termDuration,
      billingCycle: d.billingCycle,
      autoRenewEnabled: d.autoRenewEnabled,
      indirectResellerId: d.indirectResellerId,
      purchasedAt: d.purchasedAt,
      cancellationAllowedUntil: d.cancellationAllowedUntil,
      licensesAssigned: false,
      fulfillmentConfirmed: false,
      action: null,
      billingStartDate: null,
      termStart: null,
      termEnd: null,
      cycleStart: null,
      termCharges: null,
      pendingOperations: [],
      suspensionReasons: null,
      isTrial: d.freeTrial !== undefined,
      testClockId: d.testClockId ?? null,
      scheduledNextTerm: null,
    };
  }
  if (row === null) return null;
  // A charge is an event of the invoice stream: its revision counts that stream, not this row's.
  if (event.type === 'ChargeRecorded') return { ...row, termCharges: charged(row.termCharges, event) };
  return { ...row, ...change(row, event), revision: event.revision };
}

/** The term's charges with the line put in; a line of an earlier term than the one charged last is left out. */
function charged(charges: TermCharges | null, { data: line }: ChargeRecordedEvent): TermCharges {
  if (charges === null || line.termStartDate > charges.termStart) return { termStart: line.termStartDate, amounts: { [line.id]: line.amount } };
  if (line.termStartDate < charges.termStart) return charges;
  return { termStart: charges.termStart, amounts: { ...charges.amounts, [line.id]: line.amount } };
}

type SubscriptionChange = Exclude<SubscriptionRowEvent, { type: 'SubscriptionPurchased' } | { type: 'ChargeRecorded' }>;

function change(row: SubscriptionRow, event: SubscriptionChange): Partial<Change> {
  switch (event.type) {
    case 'SubscriptionRenamed':
      return { friendlyName: event.data.friendlyName };
    case 'SeatsChanged':
      return { quantity: event.data.quantity, pendingOperations: finished(row, event.data.operationId) };
    case 'SeatChangeRequested':
      return { pendingOperations: waiting(row, event.data.operationId, 'ChangeQuantity', event.data.quantity, event.data.requestedAt) };
    case 'PlanChangeRequested':
      return { pendingOperations: waiting(row, event.data.operationId, 'ChangePlan', row.quantity, event.data.requestedAt) };
    case 'CancellationRequested':
      return { pendingOperations: waiting(row, event.data.operationId, 'Unsubscribe', row.quantity, event.data.requestedAt) };
    case 'PlanChanged':
      return { planId: event.data.planId, pendingOperations: finished(row, event.data.operationId) };
    case 'SeatChangeRejected':
    case 'PlanChangeRejected':
    case 'CancellationRejected':
      return { pendingOperations: finished(row, event.data.operationId) };
    case 'AutoRenewDisabled':
      return { autoRenewEnabled: false };
    case 'AutoRenewEnabled':
      return { autoRenewEnabled: true };
    case 'IndirectResellerAssigned':
      return { indirectResellerId: event.data.mpnId };
    case 'IndirectResellerRemoved':
      return { indirectResellerId: null };
    case 'PublisherActivated':
      return { licensesAssigned: true };
    case 'FulfillmentConfirmed':
      return { fulfillmentConfirmed: true };
    case 'BillingStarted':
      if (row.status !== 'pending') return {};
      return {
        status: 'active',
        billingStartDate: event.data.termStart,
        termStart: event.data.termStart,
        termEnd: event.data.termEnd,
        cycleStart: event.data.termStart,
      };
    case 'SubscriptionRenewed': {
      if (row.status !== 'active') return {};
      const d = event.data;
      // Scheduled instructions the renewal applied name the new term; otherwise it is the old one again.
      const applied = d.planId === undefined ? {} : { planId: d.planId, termDuration: d.termDuration ?? row.termDuration, billingCycle: d.billingCycle ?? row.billingCycle };
      return { termStart: d.termStart, termEnd: d.termEnd, cycleStart: d.termStart, quantity: d.quantity, ...applied, scheduledNextTerm: null };
    }
    case 'NextTermScheduled':
      return { scheduledNextTerm: { ...event.data } };
    case 'NextTermScheduleCleared':
      return { scheduledNextTerm: null };
    case 'NextTermChangeApplied':
      return {};
    case 'PublisherActionRequired': {
      const { reason, url, blockedOperations } = event.data;
      return { action: { reason, url, blockedOperations: [...blockedOperations] } };
    }
    case 'PublisherActionResolved':
      return { action: null };
    case 'Cancelled': {
      // The Unsubscribe operation and any change it abandons both end with the subscription.
      const remaining = finished({ pendingOperations: finished(row, event.data.abandonedOperationId) }, event.data.operationId);
      return { status: 'deleted', action: null, pendingOperations: remaining, suspensionReasons: null, scheduledNextTerm: null };
    }
    case 'SubscriptionExpired':
      return { status: 'deleted', action: null, pendingOperations: [], suspensionReasons: null, scheduledNextTerm: null };
    case 'BillingCycleStarted':
    case 'BillingCycleSkipped':
      if (row.cycleStart === null || event.data.cycleStart <= row.cycleStart) return {};
      return { cycleStart: event.data.cycleStart };
    case 'SubscriptionSuspended':
      if (row.status !== 'active') return {};
      return { status: 'suspended', suspensionReasons: [...event.data.reasons], pendingOperations: finished(row, event.data.abandonedOperationId) };
    case 'ReinstatementRequested':
      return { pendingOperations: waiting(row, event.data.operationId, 'Reinstate', row.quantity, event.data.requestedAt) };
    case 'SubscriptionReinstated':
      if (row.status !== 'suspended') return { pendingOperations: finished(row, event.data.operationId) };
      return { status: 'active', suspensionReasons: null, pendingOperations: finished(row, event.data.operationId) };
    case 'ReinstatementRejected':
      return { pendingOperations: finished(row, event.data.operationId) };
    case 'TrialConverted':
      return { isTrial: false, cancellationAllowedUntil: event.data.cancellationAllowedUntil };
    default:
      return unknownEvent(event);
  }
}

function waiting(row: SubscriptionRow, id: string, action: OperationAction, quantity: number, requestedAt: string): PendingOperationRow[] {
  return [...row.pendingOperations, { id, action, quantity, requestedAt }];
}

function finished(row: Pick<SubscriptionRow, 'pendingOperations'>, operationId: string | null): PendingOperationRow[] {
  return operationId === null ? [...row.pendingOperations] : row.pendingOperations.filter((op) => op.id !== operationId);
}

/** The compiler checks that every handled type has its case. */
function unknownEvent(_event: never): Partial<Change> {
  return {};
}

/** Every subscription as its partner's and its publisher's lists show it. */
export const subscriptionsProjection: Projection<SubscriptionRow, SubscriptionRowEvent> = {
  name: 'subscriptions',
  tables: ['subscriptions'],
  canHandle: subscriptionRowEvents,
  keyOf: (event) => (event.type === 'ChargeRecorded' ? event.data.subscriptionId : subscriptionIdOf(event.streamId)),
  unseen: (row, event) => event.type === 'ChargeRecorded' || event.revision > row.revision,
  evolve: evolveSubscriptionRow,
  load: subscriptionsTable.load,
  save: subscriptionsTable.save,
};
