import { billingCyclesOf, firstCycleCharge } from '../billing/billing-cycles';
import { billingCyclesFor, isCommittedTerm } from '../billing/terms';
import type { Decider } from '../decider';
import { DomainError } from '../errors';
import { fromCents, toCents } from '../shared/money';
import { characters } from '../shared/text';
import { addDays, addMilliseconds, dateOf, isAfter, termEndDate } from '../shared/time';
import * as C from './subscription.commands';
import { SubscriptionErrors as Errors } from './subscription.errors';
import { billingCycleDueAt } from './subscription.timers';
import {
  type BlockableOperation,
  type NextTermClearReason,
  type Requester,
  type SubscriptionEvent,
  SUSPENSION_REASONS,
  type SuspensionReason,
} from './subscription.events';
import {
  ExistingSubscription,
  BilledSubscription,
  hasTerm,
  SubscriptionState,
  evolveSubscription,
  initialSubscriptionState,
  pendingOperation,
  ScheduledNextTerm,
  SubscriptionOperation,
} from './subscription.state';

type Events = SubscriptionEvent[];

const MPN_ID = /^\d{6,10}$/;
const MAX_FRIENDLY_NAME = 128;
const MAX_ACTION_REASON = 1000;
const FREE = '0.00';
const GRACE_OVER = "The suspension's grace period ran out before the reinstatement was accepted.";

export function decideSubscription(command: C.SubscriptionCommand, state: SubscriptionState): Events {
  switch (command.type) {
    case 'PurchaseSubscription':
      return purchase(command, state);
    case 'RenameSubscription':
      return rename(command, existing(state));
    case 'ChangeSeats':
      return changeSeats(command, existing(state));
    case 'ChangePlan':
      return changePlan(command, existing(state));
    case 'ChangeSubscription':
      return changeSubscription(command, existing(state));
    case 'DisableAutoRenew':
      return setAutoRenew(false, existing(state));
    case 'EnableAutoRenew':
      return setAutoRenew(true, existing(state));
    case 'AssignIndirectReseller':
      return assignIndirectReseller(command, existing(state));
    case 'RemoveIndirectReseller':
      return removeIndirectReseller(existing(state));
    case 'CancelSubscription':
      return cancel(command, existing(state));
    case 'RequestCancellation':
      return requestCancellation(command, existing(state));
    case 'RecordLicensesAssigned':
      return recordLicensesAssigned(command, existing(state));
    case 'ConfirmFulfillment':
      return confirmFulfillment(command, existing(state));
    case 'StartBilling':
      return startBilling(command, existing(state));
    case 'StartBillingCycle':
      return startBillingCycle(command, state);
    case 'RequirePublisherAction':
      return requireAction(command, existing(state));
    case 'ResolvePublisherAction':
      return resolveAction(command, existing(state));
    case 'AcceptOperation':
      return acceptOperation(command, state);
    case 'RejectOperation':
      return rejectOperation(command, state);
    case 'RenewSubscription':
      return renew(command, state);
    case 'SuspendSubscription':
      return suspend(command, existing(state));
    case 'RequestReinstatement':
      return requestReinstatement(command, existing(state));
    case 'ExpireSuspension':
      return expireSuspension(command, state);
    case 'ScheduleNextTerm':
      return scheduleNextTerm(command, existing(state));
    case 'ClearNextTerm':
      return clearedBy(existing(state), 'Requested');
    default:
      return unknownCommand(command);
  }
}

export const subscriptionDecider: Decider<SubscriptionState, C.SubscriptionCommand, SubscriptionEvent> = {
  decide: decideSubscription,
  evolve: evolveSubscription,
  initialState: initialSubscriptionState,
  testClockOf: (state) => (state.status === 'none' ? null : state.testClockId),
};

function existing(state: SubscriptionState): ExistingSubscription {
  if (state.status === 'none') throw Errors.notFound();
  return state;
}

/** The partner's change may not touch a cancelled subscription nor what the publisher's open action blocks. */
function assertChangeable(state: ExistingSubscription, operation: BlockableOperation): void {
  if (state.status === 'deleted') throw Errors.deleted();
  if (state.action?.blockedOperations.includes(operation)) {
    throw Errors.blockedByPublisher(operation, state.action.reason, state.action.url);
  }
}

function normaliseFriendlyName(raw: string): string {
  const name = raw.trim();
  const length = characters(name);
  if (length < 1 || length > MAX_FRIENDLY_NAME) throw Errors.invalidFriendlyName();
  return name;
}

function assertQuantity(quantity: number, limits: C.PlanLimits): void {
  if (!Number.isInteger(quantity) || quantity < limits.minQuantity || quantity > limits.maxQuantity) {
    throw Errors.quantityOutOfRange(limits.minQuantity, limits.maxQuantity);
  }
}

function purchase({ data }: C.PurchaseSubscription, state: SubscriptionState): Events {
  if (state.status !== 'none') {
    if (state.orderId === data.orderId && state.lineItemNumber === data.lineItemNumber) return [];
    throw Errors.alreadyExists();
  }
  const friendlyName = normaliseFriendlyName(data.friendlyName);
  assertQuantity(data.quantity, data.limits);
  // The catalog's own choice of cycles per term is the order's to check; a month billed otherwise than monthly is never sold.
  if (!billingCyclesFor(data.termDuration).includes(data.billingCycle)) throw Errors.invalidBillingCycle();
  if (data.indirectResellerId !== null && !MPN_ID.test(data.indirectResellerId)) throw Errors.invalidMpnId();
  return [
    {
      type: 'SubscriptionPurchased',
      data: {
        subscriptionId: data.subscriptionId,
        customerId: data.customerId,
        partnerId: data.partnerId,
        orderId: data.orderId,
        lineItemNumber: data.lineItemNumber,
        offerId: data.offerId,
        offerName: data.offerName,
        planId: data.planId,
        publisherId: data.publisherId,
        publisherName: data.publisherName,
        quantity: data.quantity,
        termDuration: data.termDuration,
        billingCycle: data.billingCycle,
        friendlyName,
        indirectResellerId: data.indirectResellerId,
        autoRenewEnabled: true,
        unitPrice: data.unitPrice,
        currency: data.currency,
        purchasedAt: data.now,
        cancellationAllowedUntil: addMilliseconds(data.now, data.cancellationWindowMs),
        ...(data.testClockId === null ? {} : { testClockId: data.testClockId }),
        ...(data.freeTrial ? { freeTrial: { duration: data.freeTrial.duration } } : {}),
      },
    },
  ];
}

function rename({ data }: C.RenameSubscription, state: ExistingSubscription): Events {
  const friendlyName = normaliseFriendlyName(data.friendlyName);
  if (friendlyName === state.friendlyName) return [];
  assertChangeable(state, 'rename');
  return [{ type: 'SubscriptionRenamed', data: { friendlyName, previousFriendlyName: state.friendlyName } }];
}

/** The fulfillment API calls a subscription Subscribed only once billing has started, and changes only those. */
function assertSubscribed(state: ExistingSubscription): void {
  if (state.status === 'suspended') throw Errors.suspended();
  if (state.status !== 'active') throw Errors.notActive(state.status === 'pending' ? 'PendingFulfillmentStart' : 'Unsubscribed');
}

/** The partner may change the seats of a pending subscription too; the publisher only of a Subscribed one; nobody while suspended. */
function assertSubscribedOrPending(state: ExistingSubscription, requestedBy: Requester): void {
  if (requestedBy === 'Partner') assertNotSuspended(state);
  else assertSubscribed(state);
}

/** Seats, plan and activation wait while a subscription is suspended. */
function assertNotSuspended(state: ExistingSubscription): void {
  if (state.status === 'suspended') throw Errors.suspended();
}

const limitsOf = (plan: C.CatalogPlan): C.PlanLimits => ({ minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity });

function changeSeats({ data }: C.ChangeSeats, state: ExistingSubscription): Events {
  if (data.limits === null) throw Errors.planWithdrawn(state.planId);
  assertQuantity(data.quantity, data.limits);
  const pending = pendingOperation(state);
  if (pending?.action === 'ChangeQuantity' && pending.quantity === data.quantity) return [];
  if (!pending && data.quantity === state.quantity) {
    // The fulfillment API refuses a change to what already holds, as Microsoft's does; the partner's PATCH is idempotent.
    if (data.requestedBy === 'Publisher') throw Errors.quantityUnchanged(state.quantity);
    return [];
  }
  if (data.requestedBy === 'Partner') assertChangeable(state, 'changeSeats');
  assertSubscribedOrPending(state, data.requestedBy);
  if (pending) throw Errors.operationPending(pending.id);

  if (state.status === 'pending') {
    return [
      {
        type: 'SeatsChanged',
        data: { quantity: data.quantity, previousQuantity: state.quantity, operationId: null, changedAt: data.now },
      },
      ...clearedBy(state, 'SeatChange'),
    ];
  }
  return [
    {
      type: 'SeatChangeRequested',
      data: {
        operationId: data.operationId,
        quantity: data.quantity,
        previousQuantity: state.quantity,
        requestedBy: data.requestedBy,
        requestedAt: data.now,
      },
    },
    ...clearedBy(state, 'SeatChange'),
  ];
}

/** Any public plan of the offer, or the one the subscription is on: private plans need an audience, and this marketplace keeps none. */
function availablePlan(plan: C.CatalogPlan | null, planId: string, state: ExistingSubscription): C.CatalogPlan {
  if (plan === null || !C.isPlanAvailable(plan, state.planId)) throw Errors.planNotAvailable(planId);
  return plan;
}

function changePlan({ data }: C.ChangePlan, state: ExistingSubscription): Events {
  const plan = availablePlan(data.plan, data.planId, state);
  const pending = pendingOperation(state);
  if (pending?.action === 'ChangePlan' && pending.planId === data.planId) return [];
  assertSubscribed(state);
  if (state.isFreeTrial) throw Errors.inFreeTrial();
  if (data.planId === state.planId) throw Errors.planUnchanged(state.planId);
  assertQuantity(state.quantity, limitsOf(plan));
  if (pending) throw Errors.operationPending(pending.id);
  const unitPrice = priceOnTerm(plan, state);
  return [
    {
      type: 'PlanChangeRequested',
      data: {
        operationId: data.operationId,
        planId: data.planId,
        previousPlanId: state.planId,
        requestedBy: data.requestedBy,
        requestedAt: data.now,
        ...(unitPrice === undefined ? {} : { unitPrice }),
      },
    },
    ...clearedBy(state, 'PlanChange'),
  ];
}

/** The plan's price for the subscription's term and currency; a plan not sold on them is not available. Undefined when the catalog entry carries no prices. */
function priceOnTerm(plan: C.CatalogPlan, state: ExistingSubscription): string | undefined {
  if (plan.prices === undefined) return undefined;
  const price = plan.prices.find((p) => p.termDuration === state.termDuration && p.currency === state.currency);
  if (!price) throw Errors.planNotAvailable(plan.id);
  return price.unitPrice;
}

function changeSubscription({ data }: C.ChangeSubscription, state: ExistingSubscription): Events {
  const { planId, quantity, plans, ...request } = data;
  if (planId !== null && quantity === null) {
    return changePlan({ type: 'ChangePlan', data: { planId, plan: plans.find((p) => p.id === planId) ?? null, ...request } }, state);
  }
  if (planId === null && quantity !== null) {
    const current = plans.find((p) => p.id === state.planId);
    return changeSeats({ type: 'ChangeSeats', data: { quantity, limits: current ? limitsOf(current) : null, ...request } }, state);
  }
  throw Errors.planOrQuantity();
}

function setAutoRenew(enabled: boolean, state: ExistingSubscription): Events {
  if (state.autoRenewEnabled === enabled) return [];
  assertChangeable(state, 'changeAutoRenew');
  return enabled ? [{ type: 'AutoRenewEnabled', data: {} }] : [{ type: 'AutoRenewDisabled', data: {} }, ...clearedBy(state, 'AutoRenewDisabled')];
}

/** Changes scheduled for the renewal end with auto-renew, or with a plan or seat change mid-term, in the same decision. */
function clearedBy(state: ExistingSubscription, reason: NextTermClearReason): Events {
  return state.scheduledNextTerm === null ? [] : [{ type: 'NextTermScheduleCleared', data: { reason } }];
}

/**
 * Changes applied at the next renewal (SPEC §13): only with auto-renew on, on a pending or active
 * subscription with no change waiting for the publisher. They are checked against the catalog now
 * and the new term's price is locked now; the same instructions again change nothing.
 */
function scheduleNextTerm({ data }: C.ScheduleNextTerm, state: ExistingSubscription): Events {
  if (state.status === 'deleted') throw Errors.deleted();
  assertNotSuspended(state);
  if (!state.autoRenewEnabled) throw Errors.nextTermNeedsAutoRenew();
  const next = nextTermOf(data, state);
  const scheduled = state.scheduledNextTerm;
  if (
    scheduled &&
    scheduled.planId === next.planId &&
    scheduled.quantity === next.quantity &&
    scheduled.termDuration === next.termDuration &&
    scheduled.billingCycle === next.billingCycle
  ) {
    return [];
  }
  const pending = pendingOperation(state);
  if (pending) throw Errors.operationPending(pending.id);
  return [{ type: 'NextTermScheduled', data: { ...next, scheduledAt: data.now } }];
}

/** The instructions fully resolved (what they leave out stays as it is) and priced; a refusal points at the member it is about. */
function nextTermOf(data: C.ScheduleNextTerm['data'], state: ExistingSubscription): Omit<ScheduledNextTerm, 'scheduledAt'> {
  const given = data.instructions;
  if (given.planId === undefined && given.quantity === undefined && given.termDuration === undefined && given.billingCycle === undefined) {
    throw atNextTerm(Errors.nextTermEmpty());
  }
  const planId = given.planId ?? state.planId;
  const entry = data.plans.find((p) => p.id === planId) ?? null;
  if (given.planId === undefined && entry === null) throw Errors.planWithdrawn(state.planId);
  try {
    const plan = availablePlan(entry, planId, state);
    const quantity = given.quantity ?? state.quantity;
    assertQuantity(quantity, limitsOf(plan));
    const termDuration = given.termDuration ?? state.termDuration;
    const term = data.terms.find((t) => t.termDuration === termDuration);
    const price = plan.prices?.find((p) => p.termDuration === termDuration && p.currency === state.currency);
    if (!term || (plan.prices !== undefined && !price)) throw Errors.termNotSold(termDuration, planId);
    const billingCycle = given.billingCycle ?? state.billingCycle;
    if (!billingCyclesFor(termDuration).includes(billingCycle)) throw Errors.invalidBillingCycle();
    if (!term.billingCycles.includes(billingCycle)) throw Errors.billingCycleNotSold(termDuration, billingCycle, term.billingCycles);
    // A catalog entry without prices (older callers) keeps the price, as a plan change does.
    return { planId, quantity, termDuration, billingCycle, unitPrice: price?.unitPrice ?? state.unitPrice };
  } catch (error) {
    throw error instanceof DomainError && error.field !== undefined ? atNextTerm(error) : error;
  }
}

/** The same refusal, pointing into the PATCH's scheduledNextTermInstructions. */
function atNextTerm(error: DomainError): DomainError {
  const pointer = `/scheduledNextTermInstructions${error.field ? `/${error.field}` : ''}`;
  return new DomainError(error.code, error.kind, `scheduledNextTermInstructions: ${error.message}`, { ...error.extensions, pointer }, error.field ?? 'scheduledNextTermInstructions');
}

function assignIndirectReseller({ data }: C.AssignIndirectReseller, state: ExistingSubscription): Events {
  if (!MPN_ID.test(data.mpnId)) throw Errors.invalidMpnId();
  if (state.indirectResellerId === data.mpnId) return [];
  assertChangeable(state, 'changeIndirectReseller');
  return [{ type: 'IndirectResellerAssigned', data: { mpnId: data.mpnId, previousMpnId: state.indirectResellerId } }];
}

function removeIndirectReseller(state: ExistingSubscription): Events {
  if (state.indirectResellerId === null) return [];
  assertChangeable(state, 'changeIndirectReseller');
  return [{ type: 'IndirectResellerRemoved', data: { mpnId: state.indirectResellerId } }];
}

function cancel({ data }: C.CancelSubscription, state: ExistingSubscription): Events {
  if (state.status === 'deleted') return [];
  if (data.requestedBy === 'Partner') {
    assertChangeable(state, 'cancel');
    // A free trial can be cancelled at any time (Partner Center's new-commerce policy).
    if (!state.isFreeTrial && !insideWindow(state, data.now)) throw Errors.cancellationWindowClosed(state.cancellationAllowedUntil);
  }
  if (data.requestedBy !== 'System' && committedPastWindow(state, data.now)) throw Errors.cancellationWindowClosed(state.cancellationAllowedUntil);
  return [cancelled(state, data.now, data.requestedBy, data.operationId, pendingOperation(state)?.id ?? null)];
}

function requestCancellation({ data }: C.RequestCancellation, state: ExistingSubscription): Events {
  const pending = pendingOperation(state);
  if (pending?.action === 'Unsubscribe') return [];
  if (state.status === 'deleted') throw Errors.notActive('Unsubscribed');
  if (data.requestedBy !== 'System' && committedPastWindow(state, data.now)) throw Errors.cancellationWindowClosed(state.cancellationAllowedUntil);
  if (pending) throw Errors.operationPending(pending.id);
  return [{ type: 'CancellationRequested', data: { operationId: data.operationId, requestedBy: data.requestedBy, requestedAt: data.now } }];
}

function insideWindow(state: ExistingSubscription, now: string): boolean {
  return !isAfter(now, state.cancellationAllowedUntil);
}

/**
 * A running 2- or 3-year term still to be paid for (DOMAIN §4.5) cannot be cancelled on request once
 * its window closed, until it is complete; only the system ends it. One whose billing never started has no term yet.
 */
function committedPastWindow(state: ExistingSubscription, now: string): boolean {
  return state.status !== 'pending' && !state.isFreeTrial && isCommittedTerm(state) && !insideWindow(state, now);
}

/** Inside the window, what the term charged is refunded; after it, nothing is. */
function cancelled(
  state: ExistingSubscription,
  now: string,
  requestedBy: Requester,
  operationId: string,
  abandonedOperationId: string | null,
): SubscriptionEvent {
  const charged = hasTerm(state) ? state.billing.chargedAmount : null;
  const refund = insideWindow(state, now) && charged !== null && toCents(charged) !== 0 ? { amount: charged, currency: state.currency } : null;
  return { type: 'Cancelled', data: { cancelledAt: now, requestedBy, refund, operationId, abandonedOperationId } };
}

function recordLicensesAssigned({ data }: C.RecordLicensesAssigned, state: ExistingSubscription): Events {
  if (state.licensesAssigned) return [];
  if (state.status === 'deleted') throw Errors.deleted();
  if (!Number.isInteger(data.assignedSeats) || data.assignedSeats < 1 || data.assignedSeats > state.quantity) {
    throw Errors.invalidAssignedSeats(state.quantity);
  }
  return [{ type: 'PublisherActivated', data: { assignedSeats: data.assignedSeats } }];
}

/** `quantity` may be left out only for a plan not priced per seat. */
function confirmFulfillment({ data }: C.ConfirmFulfillment, state: ExistingSubscription): Events {
  if (state.status === 'deleted') throw Errors.unsubscribed();
  assertNotSuspended(state);
  const quantity = data.quantity ?? (data.pricedPerSeat ? null : state.quantity);
  if (quantity === null) throw Errors.quantityRequired();
  if (data.planId !== state.planId) throw Errors.fulfillmentMismatch('planId', state.planId);
  if (quantity !== state.quantity) throw Errors.fulfillmentMismatch('quantity', state.quantity);
  if (state.fulfillmentConfirmed) return [];
  return [{ type: 'FulfillmentConfirmed', data: { planId: data.planId, quantity } }];
}

/** Billing starts once the licenses are assigned and fulfilment is confirmed; until both happened, asking changes nothing. */
function startBilling({ data }: C.StartBilling, state: ExistingSubscription): Events {
  if (state.status !== 'pending') return [];
  if (!state.licensesAssigned || !state.fulfillmentConfirmed) return [];
  const termStart = dateOf(data.now);
  // A free trial's term is the trial, and it is billed at zero: a 0.00 `new` line.
  const trial = state.isFreeTrial ? state.freeTrial : null;
  return [
    {
      type: 'BillingStarted',
      data: {
        termStart,
        termEnd: termEndDate(termStart, trial ? trial.duration : state.termDuration),
        quantity: state.quantity,
        unitPrice: trial ? FREE : state.unitPrice,
        currency: state.currency,
        billingCycle: state.billingCycle,
        chargedAmount: trial ? FREE : firstCharge(state, termStart, state.quantity),
      },
    },
  ];
}

/**
 * What a term's first billing cycle charges: the term price, or a twelfth of it per seat (rounded
 * down to the cent) when a year is billed monthly; the `new` or `renew` line rating gives.
 */
function firstCharge(state: ExistingSubscription, termStart: string, quantity: number): string {
  const term = { termStart, termEnd: termEndDate(termStart, state.termDuration), billingCycle: state.billingCycle };
  return fromCents(firstCycleCharge(term, state.unitPrice, quantity));
}

/**
 * Starts the later cycles of the current term that begin by `cycleStart` and by today, in order,
 * each once: a resent or late command appends nothing twice, and one that skipped a cycle catches
 * it up. Only while billing runs; the term's first cycle is BillingStarted's or the renewal's.
 */
function startBillingCycle({ data }: C.StartBillingCycle, state: SubscriptionState): Events {
  if (!hasTerm(state)) return [];
  return cyclesBegun(state, data.cycleStart, data.now);
}

/**
 * The later cycles of the current term begun by `upTo` and by `now`, not yet started, in order. One
 * that began while suspended is skipped, uncharged; one that began before, charged, however late its
 * job runs: the outcome follows when each cycle began, never when it was looked at.
 */
function cyclesBegun(state: BilledSubscription, upTo: string, now: string): Events {
  const { billing } = state;
  const suspendedAt = state.status === 'suspended' ? state.suspension.suspendedAt : null;
  return billingCyclesOf({ termStart: billing.termStart, termEnd: billing.termEnd, billingCycle: state.billingCycle })
    .filter((cycle) => cycle.start > billing.cycleStart && cycle.start <= upTo && !isAfter(billingCycleDueAt(cycle.start), now))
    .map((cycle) =>
      suspendedAt !== null && !isAfter(suspendedAt, billingCycleDueAt(cycle.start))
        ? { type: 'BillingCycleSkipped', data: { cycleStart: cycle.start, cycleEnd: cycle.end, reason: 'suspended' } }
        : { type: 'BillingCycleStarted', data: { cycleStart: cycle.start, cycleEnd: cycle.end, quantity: state.quantity } },
    );
}

/**
 * Due on the first day after the term's last (inclusive) day. Only the term named is renewed: before
 * it is due, for a term not begun, or once it was renewed or ended, nothing happens.
 */
function renew({ data }: C.RenewSubscription, state: SubscriptionState): Events {
  if (!hasTerm(state) || state.billing.termEnd !== data.termEnd) return [];
  if (dateOf(data.now) <= state.billing.termEnd) return [];
  if (!state.autoRenewEnabled) {
    return [{ type: 'SubscriptionExpired', data: { operationId: data.operationId, termEnd: state.billing.termEnd, expiredAt: data.now } }];
  }
  // A suspended subscription is not renewed: the renewal is due again when it is reinstated (SubscriptionReinstated names the term).
  if (state.status === 'suspended') return [];
  const termStart = addDays(state.billing.termEnd, 1);
  // Scheduled instructions make the new term, all at once; without them it is the term that ended, again.
  const next = state.scheduledNextTerm;
  const { quantity, termDuration, billingCycle, unitPrice } = next ?? state;
  const termEnd = termEndDate(termStart, termDuration);
  return [
    ...(state.isFreeTrial ? [trialConverted(state, data.now)] : []),
    {
      type: 'SubscriptionRenewed',
      data: {
        operationId: data.operationId,
        termStart,
        termEnd,
        quantity,
        chargedAmount: fromCents(firstCycleCharge({ termStart, termEnd, billingCycle }, unitPrice, quantity)),
        renewedAt: data.now,
        ...(next ? { planId: next.planId, termDuration, billingCycle, unitPrice } : {}),
      },
    },
    ...(next ? changesApplied(state, next, data) : []),
  ];
}

/**
 * The plan and seat changes a renewal applied, each recorded as a succeeded operation of the system's
 * that the publisher is notified of (ChangePlan, ChangeQuantity). Without ids to record them by, none is.
 */
function changesApplied(state: BilledSubscription, next: ScheduledNextTerm, { changeOperationIds: ids, now }: C.RenewSubscription['data']): Events {
  if (!ids) return [];
  const change = { planId: next.planId, previousPlanId: state.planId, quantity: next.quantity, previousQuantity: state.quantity, appliedAt: now };
  const applied: Events = [];
  if (next.planId !== state.planId) applied.push({ type: 'NextTermChangeApplied', data: { operationId: ids.changePlan, action: 'ChangePlan', ...change } });
  if (next.quantity !== state.quantity) applied.push({ type: 'NextTermChangeApplied', data: { operationId: ids.changeQuantity, action: 'ChangeQuantity', ...change } });
  return applied;
}

/** The paid term gets the cancellation window it was sold with, counted from the conversion. */
function trialConverted(state: ExistingSubscription, now: string): SubscriptionEvent {
  const windowMs = Date.parse(state.cancellationAllowedUntil) - Date.parse(state.purchasedAt);
  return { type: 'TrialConverted', data: { unitPrice: state.unitPrice, convertedAt: now, cancellationAllowedUntil: addMilliseconds(now, windowMs) } };
}

/** Signed before the last action change that was applied: superseded, so it changes nothing. */
function stale(state: ExistingSubscription, signedAt: string): boolean {
  return state.actionSignedAt !== null && isAfter(state.actionSignedAt, signedAt);
}

function requireAction({ data }: C.RequirePublisherAction, state: ExistingSubscription): Events {
  const reason = data.reason.trim();
  const length = characters(reason);
  if (length < 1 || length > MAX_ACTION_REASON || data.url.trim().length === 0) throw Errors.invalidAction();
  if (state.status === 'deleted') throw Errors.deleted();
  if (stale(state, data.signedAt)) return [];
  const blockedOperations = [...new Set(data.blockedOperations)].sort();
  const current = state.action;
  if (
    current &&
    current.reason === reason &&
    current.url === data.url &&
    current.blockedOperations.join() === blockedOperations.join()
  ) {
    return [];
  }
  return [{ type: 'PublisherActionRequired', data: { reason, url: data.url, blockedOperations, signedAt: data.signedAt } }];
}

function resolveAction({ data }: C.ResolvePublisherAction, state: ExistingSubscription): Events {
  if (state.action === null || stale(state, data.signedAt)) return [];
  return [{ type: 'PublisherActionResolved', data: { signedAt: data.signedAt } }];
}

type Answer = C.AcceptOperation['data'] | C.RejectOperation['data'];

/**
 * The waiting operation an answer is about. The publisher is told when it answers one that does not
 * exist, is over, or is not what it sent; a timeout or notification that comes after the operation
 * ended (answered meanwhile, or abandoned with the subscription) changes nothing, so it gets null.
 */
function operationToAnswer(
  data: Answer,
  state: SubscriptionState,
): { subscription: ExistingSubscription; operation: SubscriptionOperation } | null {
  if (data.answeredBy !== 'Publisher') {
    if (state.status === 'none') return null;
    const operation = state.operations.find((op) => op.id === data.operationId);
    return operation?.status === 'InProgress' ? { subscription: state, operation } : null;
  }
  const subscription = existing(state);
  const operation = subscription.operations.find((op) => op.id === data.operationId);
  if (!operation) throw Errors.operationNotFound();
  if (operation.status !== 'InProgress') throw Errors.operationNotInProgress(operation.status);
  if (data.planId !== undefined && data.planId !== operation.planId) throw Errors.operationMismatch('planId', operation.planId);
  if (data.quantity !== undefined && data.quantity !== operation.quantity) throw Errors.operationMismatch('quantity', operation.quantity);
  return { subscription, operation };
}

function acceptOperation({ data }: C.AcceptOperation, current: SubscriptionState): Events {
  const answer = operationToAnswer(data, current);
  if (!answer) return [];
  const { subscription: state, operation } = answer;
  switch (operation.action) {
    case 'ChangeQuantity':
      return [
        {
          type: 'SeatsChanged',
          data: { quantity: operation.quantity, previousQuantity: state.quantity, operationId: operation.id, changedAt: data.now },
        },
      ];
    case 'ChangePlan': {
      const price = operation.unitPrice === undefined ? {} : { unitPrice: operation.unitPrice };
      return [{ type: 'PlanChanged', data: { planId: operation.planId, previousPlanId: state.planId, operationId: operation.id, changedAt: data.now, ...price } }];
    }
    case 'Unsubscribe':
      return [cancelled(state, data.now, operation.requestedBy, operation.id, null)];
    case 'Reinstate':
      return reinstated(state, operation, data.now);
    case 'Renew':
    case 'Suspend':
      throw Errors.operationNotInProgress(operation.status);
  }
}

function rejectOperation({ data }: C.RejectOperation, current: SubscriptionState): Events {
  const answer = operationToAnswer(data, current);
  if (!answer) return [];
  const { operation } = answer;
  const base = { operationId: operation.id, reason: data.reason, rejectedAt: data.now };
  switch (operation.action) {
    case 'ChangeQuantity':
      return [{ type: 'SeatChangeRejected', data: { ...base, quantity: operation.quantity } }];
    case 'ChangePlan':
      return [{ type: 'PlanChangeRejected', data: { ...base, planId: operation.planId } }];
    case 'Unsubscribe':
      return [{ type: 'CancellationRejected', data: base }];
    case 'Reinstate':
      return [{ type: 'ReinstatementRejected', data: base }];
    case 'Renew':
    case 'Suspend':
      throw Errors.operationNotInProgress(operation.status);
  }
}

/**
 * Back to active, with the cycles begun meanwhile recorded (skipped, or charged when they began
 * before the suspension), so none is charged for time spent suspended. Once the grace has run out
 * it is too late: the reinstatement is rejected, and the grace's own timer cancels the subscription.
 */
function reinstated(state: ExistingSubscription, operation: SubscriptionOperation, now: string): Events {
  if (state.status !== 'suspended') return [];
  if (!isAfter(state.suspension.graceEndsAt, now)) {
    return [{ type: 'ReinstatementRejected', data: { operationId: operation.id, reason: GRACE_OVER, rejectedAt: now } }];
  }
  // The reinstatement first: it is the event the operation's own timer and answer are known by.
  return [
    { type: 'SubscriptionReinstated', data: { operationId: operation.id, reinstatedAt: now, termEnd: state.billing.termEnd } },
    ...cyclesBegun(state, dateOf(now), now),
  ];
}

function suspensionReasons(raw: readonly string[]): SuspensionReason[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((reason) => !(SUSPENSION_REASONS as readonly string[]).includes(reason))) {
    throw Errors.invalidSuspensionReasons();
  }
  return [...new Set(raw as SuspensionReason[])].sort();
}

/**
 * Only a subscription whose billing runs can be suspended (Microsoft: only Subscribed ones); a
 * second suspension changes nothing. A change still waiting for the publisher ends with it.
 */
function suspend({ data }: C.SuspendSubscription, state: ExistingSubscription): Events {
  const reasons = suspensionReasons(data.reasons);
  if (state.status === 'deleted') throw Errors.deleted();
  if (state.status === 'suspended') return [];
  if (state.status !== 'active') throw Errors.notSuspendable(state.status);
  return [
    {
      type: 'SubscriptionSuspended',
      data: {
        operationId: data.operationId,
        reasons,
        requestedBy: data.requestedBy,
        suspendedAt: data.now,
        graceEndsAt: addMilliseconds(data.now, data.graceMs),
        // A cancellation the publisher asked for stays open: cancellation is allowed while suspended.
        abandonedOperationId: abandonedBySuspension(state),
      },
    },
  ];
}

/** Reinstatement waits for the publisher, as a seat change does; asked again while it waits, or of an active subscription, it changes nothing. */
function requestReinstatement({ data }: C.RequestReinstatement, state: ExistingSubscription): Events {
  if (state.status === 'deleted') throw Errors.deleted();
  if (state.status === 'active') return [];
  if (state.status !== 'suspended') throw Errors.notSuspended(state.status);
  const pending = pendingOperation(state);
  if (pending?.action === 'Reinstate') return [];
  if (!isAfter(state.suspension.graceEndsAt, data.now)) throw Errors.graceExpired(state.suspension.graceEndsAt);
  if (pending) throw Errors.operationPending(pending.id);
  return [{ type: 'ReinstatementRequested', data: { operationId: data.operationId, requestedBy: data.requestedBy, requestedAt: data.now } }];
}

function abandonedBySuspension(state: ExistingSubscription): string | null {
  const pending = pendingOperation(state);
  return pending && pending.action !== 'Unsubscribe' ? pending.id : null;
}

/**
 * The grace ran out with the same suspension still in force: cancelled by the system, with no
 * refund. A cancellation the publisher asked for meanwhile is the one that happens; a waiting
 * reinstatement is abandoned.
 */
function expireSuspension({ data }: C.ExpireSuspension, state: SubscriptionState): Events {
  if (state.status !== 'suspended' || state.suspension.operationId !== data.suspensionOperationId) return [];
  if (isAfter(state.suspension.graceEndsAt, data.now)) return [];
  const pending = pendingOperation(state);
  const asked = pending?.action === 'Unsubscribe' ? pending : null;
  return [
    {
      type: 'Cancelled',
      data: {
        cancelledAt: data.now,
        requestedBy: asked ? asked.requestedBy : 'System',
        refund: null,
        operationId: asked ? asked.id : data.operationId,
        abandonedOperationId: asked ? null : (pending?.id ?? null),
        cause: 'SuspensionGraceExpired',
      },
    },
  ];
}

function unknownCommand(command: never): Events {
  throw new Error(`Unknown command ${(command as { type: string }).type}`);
}
