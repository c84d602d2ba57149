import { toCents } from '../shared/money';
import { dateOf, isAfter, TermDuration } from '../shared/time';
import type { BillingCycle, SubscriptionEvent } from '../subscription/subscription.events';
import {
  BillingPeriod,
  BillingTerm,
  billingCycleOn,
  billingCyclesOf,
  Cents,
  cycleUnitPrice,
  daysInCycle,
  proratedUnitPrice,
  remainingDaysOf,
} from './billing-cycles';
import { ChargeLine, ChargeType, chargeLineId, termAndBillingCycleOf } from './charge-line';

/** A stored subscription event as rating needs it: its id (the lines' referenceId) and business time. */
export type RatableEvent = SubscriptionEvent & { readonly id: string; readonly occurredAt: string };

/** What rating knows of the subscription: who is charged, for what, at which price. */
export interface RatedSubscription {
  subscriptionId: string;
  partnerId: string;
  customerId: string;
  orderId: string;
  offerId: string;
  publisherId: string;
  planId: string;
  quantity: number;
  /** Per seat per term, of the current plan. */
  unitPrice: Cents;
  currency: string;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  cancellationAllowedUntil: string;
  resellerMpnId: string | null;
}

/** The term being billed: its current cycle and every line it charged or credited so far. */
export interface RatedTerm {
  termStart: string;
  termEnd: string;
  cyclesPerTerm: number;
  cycle: BillingPeriod;
  lines: ChargeLine[];
}

export type RatingState =
  | { status: 'none' }
  | { status: 'pending'; subscription: RatedSubscription }
  | { status: 'active'; subscription: RatedSubscription; term: RatedTerm }
  | { status: 'ended'; subscription: RatedSubscription; term: RatedTerm | null };

export interface Rated {
  state: RatingState;
  /** The lines the event causes, in index order; none for most events. */
  lines: ChargeLine[];
}

export const initialRatingState = (): RatingState => ({ status: 'none' });

/**
 * Rates one event given the state rated so far: the worker's incremental step. Total and pure:
 * events that charge nothing (renames, auto-renew, resellers, expiry, publisher actions, requests
 * still waiting) only update the state, and unknown ones change nothing.
 */
export function rateNext(state: RatingState, event: RatableEvent): Rated {
  if (event.type === 'SubscriptionPurchased') {
    return unchargedAs(state.status === 'none' ? { status: 'pending', subscription: purchased(event) } : state);
  }
  if (state.status === 'none') return unchargedAs(state);
  switch (event.type) {
    case 'BillingStarted':
      return state.status === 'pending' ? billingStarted(state.subscription, event) : unchargedAs(state);
    case 'BillingCycleStarted':
      return state.status === 'active' ? cycleStarted(state, event) : unchargedAs(state);
    case 'BillingCycleSkipped':
      return state.status === 'active' ? cycleSkipped(state, event) : unchargedAs(state);
    case 'SubscriptionRenewed':
      return state.status === 'active' ? renewed(state, event) : unchargedAs(state);
    case 'SeatsChanged':
      return seatsChanged(state, event);
    case 'PlanChanged':
      return planChanged(state, event);
    case 'Cancelled':
      return cancelled(state, event);
    case 'SubscriptionExpired':
      return unchargedAs(state.status === 'ended' ? state : { status: 'ended', subscription: state.subscription, term: termOf(state) });
    case 'TrialConverted':
      return unchargedAs(withSubscription(state, { unitPrice: toCents(event.data.unitPrice), cancellationAllowedUntil: event.data.cancellationAllowedUntil }));
    case 'IndirectResellerAssigned':
      return unchargedAs(withSubscription(state, { resellerMpnId: event.data.mpnId }));
    case 'IndirectResellerRemoved':
      return unchargedAs(withSubscription(state, { resellerMpnId: null }));
    default:
      return unchargedAs(state);
  }
}

/** The state after a whole history, in stream order. */
export const ratingOf = (history: readonly RatableEvent[], from: RatingState = initialRatingState()): RatingState =>
  history.reduce((state, event) => rateNext(state, event).state, from);

/** Every line a whole history causes, in stream order: what an auditor re-rates and compares. */
export function rate(history: readonly RatableEvent[]): ChargeLine[] {
  const lines: ChargeLine[] = [];
  let state = initialRatingState();
  for (const event of history) {
    const next = rateNext(state, event);
    state = next.state;
    lines.push(...next.lines);
  }
  return lines;
}

/** The rating fold, shaped like a projection: `initialState` and one pure step. */
export const subscriptionRating = { initialState: initialRatingState, rateNext, ratingOf, rate } as const;

// --- causes ---------------------------------------------------------------------------------------

type Of<T extends RatableEvent['type']> = Extract<RatableEvent, { type: T }>;
type Active = Extract<RatingState, { status: 'active' }>;
type Known = Exclude<RatingState, { status: 'none' }>;

const unchargedAs = (state: RatingState): Rated => ({ state, lines: [] });

function purchased({ data }: Of<'SubscriptionPurchased'>): RatedSubscription {
  return {
    subscriptionId: data.subscriptionId,
    partnerId: data.partnerId,
    customerId: data.customerId,
    orderId: data.orderId,
    offerId: data.offerId,
    publisherId: data.publisherId,
    planId: data.planId,
    quantity: data.quantity,
    unitPrice: toCents(data.unitPrice),
    currency: data.currency,
    termDuration: data.termDuration,
    billingCycle: data.billingCycle,
    cancellationAllowedUntil: data.cancellationAllowedUntil,
    resellerMpnId: data.indirectResellerId,
  };
}

function newTerm(subscription: RatedSubscription, termStart: string, termEnd: string): RatedTerm {
  const term: BillingTerm = { termStart, termEnd, billingCycle: subscription.billingCycle };
  const cycles = billingCyclesOf(term);
  return { termStart, termEnd, cyclesPerTerm: cycles.length, cycle: cycles[0], lines: [] };
}

/** `new`: the first cycle of the first term, every seat at the full cycle price. */
function billingStarted(pending: RatedSubscription, event: Of<'BillingStarted'>): Rated {
  const d = event.data;
  const subscription = { ...pending, quantity: d.quantity, unitPrice: toCents(d.unitPrice), currency: d.currency, billingCycle: d.billingCycle };
  const term = newTerm(subscription, d.termStart, d.termEnd);
  return charged({ status: 'active', subscription, term }, event, [wholeCycle('new', subscription, term, d.quantity)]);
}

/** `cycleCharge`: a later cycle of the term, every seat at the full cycle price. A cycle already begun charges nothing again. */
function cycleStarted(state: Active, event: Of<'BillingCycleStarted'>): Rated {
  const { cycleStart, quantity } = event.data;
  if (cycleStart <= state.term.cycle.start) return unchargedAs(state);
  const cycle = billingCycleOn({ ...state.term, billingCycle: state.subscription.billingCycle }, cycleStart);
  if (cycle.start !== cycleStart) return unchargedAs(state);
  const subscription = { ...state.subscription, quantity };
  const term = { ...state.term, cycle };
  return charged({ status: 'active', subscription, term }, event, [wholeCycle('cycleCharge', subscription, term, quantity)]);
}

/** A cycle that began while suspended is not charged; it is still the cycle later changes are prorated in. */
function cycleSkipped(state: Active, event: Of<'BillingCycleSkipped'>): Rated {
  const { cycleStart } = event.data;
  if (cycleStart <= state.term.cycle.start) return unchargedAs(state);
  const cycle = billingCycleOn({ ...state.term, billingCycle: state.subscription.billingCycle }, cycleStart);
  return unchargedAs({ ...state, term: { ...state.term, cycle } });
}

/**
 * `renew`: the new term's first cycle, for the seats the renewal carries; on the plan, term length,
 * billing cycle and price it names when it applied scheduled instructions, else on those it had.
 */
function renewed(state: Active, event: Of<'SubscriptionRenewed'>): Rated {
  const d = event.data;
  const old = state.subscription;
  const subscription: RatedSubscription = {
    ...old,
    quantity: d.quantity,
    planId: d.planId ?? old.planId,
    unitPrice: d.unitPrice === undefined ? old.unitPrice : toCents(d.unitPrice),
    termDuration: d.termDuration ?? old.termDuration,
    billingCycle: d.billingCycle ?? old.billingCycle,
  };
  const term = newTerm(subscription, d.termStart, d.termEnd);
  return charged({ status: 'active', subscription, term }, event, [wholeCycle('renew', subscription, term, d.quantity)]);
}

/**
 * Added seats are charged from the day of the change to the end of the cycle; removed ones are
 * credited likewise, but only inside the refund window. Outside it a decrease credits nothing and
 * the next cycle or renewal bills the new quantity. Before billing starts nothing is charged.
 */
function seatsChanged(state: Known, event: Of<'SeatsChanged'>): Rated {
  if (state.status === 'ended') return unchargedAs(state);
  const { quantity, changedAt } = event.data;
  const delta = quantity - state.subscription.quantity;
  const subscription = { ...state.subscription, quantity };
  if (state.status === 'pending') return unchargedAs({ status: 'pending', subscription });
  const next: Active = { status: 'active', subscription, term: state.term };
  const day = dateOf(changedAt);
  if (delta === 0 || remainingDaysOf(state.term.cycle, day) <= 0) return unchargedAs(next);
  if (delta > 0) return charged(next, event, [prorated('addQuantity', state.subscription, state.term, day, delta, 1)]);
  if (isAfter(changedAt, state.subscription.cancellationAllowedUntil)) return unchargedAs(next);
  return charged(next, event, [prorated('removeQuantity', state.subscription, state.term, day, -delta, -1)]);
}

/** `convert`: the rest of the cycle credited on the old plan and charged on the new, every seat. */
function planChanged(state: Known, event: Of<'PlanChanged'>): Rated {
  if (state.status === 'ended') return unchargedAs(state);
  const { planId, unitPrice, changedAt } = event.data;
  const old = state.subscription;
  const subscription = { ...old, planId, unitPrice: unitPrice === undefined ? old.unitPrice : toCents(unitPrice) };
  if (state.status === 'pending') return unchargedAs({ status: 'pending', subscription });
  const next: Active = { status: 'active', subscription, term: state.term };
  const day = dateOf(changedAt);
  if (remainingDaysOf(state.term.cycle, day) <= 0) return unchargedAs(next);
  return charged(next, event, [
    prorated('convert', old, state.term, day, old.quantity, -1),
    prorated('convert', subscription, state.term, day, old.quantity, 1),
  ]);
}

/**
 * Inside the window, `cancelImmediate` gives back everything the current term charged: one line
 * per line of the term, its exact negative, so they sum to zero. Outside it nothing is credited.
 */
function cancelled(state: Known, event: Of<'Cancelled'>): Rated {
  if (state.status === 'ended') return unchargedAs(state);
  const ended: RatingState = { status: 'ended', subscription: state.subscription, term: termOf(state) };
  // A suspension whose grace ran out is cancelled without a refund (SPEC §13), whenever that is.
  if (state.status === 'pending' || event.data.cause !== undefined || isAfter(event.data.cancelledAt, state.subscription.cancellationAllowedUntil)) {
    return unchargedAs(ended);
  }
  const reversals: Draft[] = state.term.lines
    .filter((line) => line.amount !== 0)
    .map((line) => ({
      chargeType: 'cancelImmediate',
      subscription: { ...state.subscription, planId: line.planId },
      term: state.term,
      cycle: { start: line.billingCycleStartDate, end: line.billingCycleEndDate },
      chargeStartDate: line.chargeStartDate,
      chargeEndDate: line.chargeEndDate,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      effectiveUnitPrice: line.effectiveUnitPrice,
      amount: -line.amount,
      reversesLineId: line.id,
    }));
  return charged(ended, event, reversals);
}

// --- lines ----------------------------------------------------------------------------------------

/** A line before it is numbered: what it charges, and for whom. */
interface Draft {
  chargeType: ChargeType;
  subscription: RatedSubscription;
  term: RatedTerm;
  /** The billing cycle the line belongs to. */
  cycle: Pick<BillingPeriod, 'start' | 'end'>;
  chargeStartDate: string;
  chargeEndDate: string;
  quantity: number;
  unitPrice: Cents;
  effectiveUnitPrice: Cents;
  amount: Cents;
  reversesLineId: string | null;
}

function wholeCycle(chargeType: ChargeType, subscription: RatedSubscription, term: RatedTerm, quantity: number): Draft {
  const effectiveUnitPrice = cycleUnitPrice(subscription.unitPrice, term.cyclesPerTerm);
  return {
    chargeType,
    subscription,
    term,
    cycle: term.cycle,
    chargeStartDate: term.cycle.start,
    chargeEndDate: term.cycle.end,
    quantity,
    unitPrice: subscription.unitPrice,
    effectiveUnitPrice,
    amount: quantity * effectiveUnitPrice,
    reversesLineId: null,
  };
}

/** `quantity` seats from `day` to the end of the current cycle, at `subscription`'s price; `sign` -1 credits. */
function prorated(chargeType: ChargeType, subscription: RatedSubscription, term: RatedTerm, day: string, quantity: number, sign: 1 | -1): Draft {
  const cycle = term.cycle;
  const effectiveUnitPrice = proratedUnitPrice(subscription.unitPrice, term.cyclesPerTerm, remainingDaysOf(cycle, day), daysInCycle(cycle));
  return {
    chargeType,
    subscription,
    term,
    cycle,
    chargeStartDate: day < cycle.start ? cycle.start : day,
    chargeEndDate: cycle.end,
    quantity,
    unitPrice: subscription.unitPrice,
    effectiveUnitPrice,
    amount: sign * quantity * effectiveUnitPrice,
    reversesLineId: null,
  };
}

function line(draft: Draft, event: RatableEvent, index: number): ChargeLine {
  const { subscription: s, term, cycle } = draft;
  return {
    id: chargeLineId(event.id, index),
    referenceId: event.id,
    index,
    chargeType: draft.chargeType,
    occurredAt: event.occurredAt,
    subscriptionId: s.subscriptionId,
    partnerId: s.partnerId,
    customerId: s.customerId,
    orderId: s.orderId,
    offerId: s.offerId,
    publisherId: s.publisherId,
    planId: s.planId,
    resellerMpnId: s.resellerMpnId,
    termDuration: s.termDuration,
    billingCycle: s.billingCycle,
    termAndBillingCycle: termAndBillingCycleOf(s.termDuration, s.billingCycle),
    termStartDate: term.termStart,
    termEndDate: term.termEnd,
    billingCycleStartDate: cycle.start,
    billingCycleEndDate: cycle.end,
    chargeStartDate: draft.chargeStartDate,
    chargeEndDate: draft.chargeEndDate,
    quantity: draft.quantity,
    unitPrice: draft.unitPrice,
    effectiveUnitPrice: draft.effectiveUnitPrice,
    amount: draft.amount,
    currency: s.currency,
    reversesLineId: draft.reversesLineId,
  };
}

/** Numbers the drafts and records them on the term, so a cancellation can reverse them. */
function charged(state: RatingState, event: RatableEvent, drafts: Draft[]): Rated {
  const lines = drafts.map((draft, index) => line(draft, event, index));
  if (state.status === 'active') return { state: { ...state, term: { ...state.term, lines: [...state.term.lines, ...lines] } }, lines };
  return { state, lines };
}

function termOf(state: Known): RatedTerm | null {
  return state.status === 'pending' ? null : state.term;
}

function withSubscription<S extends Known>(state: S, change: Partial<RatedSubscription>): S {
  return { ...state, subscription: { ...state.subscription, ...change } };
}
