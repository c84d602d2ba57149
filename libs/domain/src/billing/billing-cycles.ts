import { toCents } from '../shared/money';
import { addDays, addMonths, daysInclusive } from '../shared/time';
import type { BillingCycle } from '../subscription/subscription.events';

/** Money in integer minor units (cents); negative for a credit. */
export type Cents = number;

/** A term as BillingStarted and SubscriptionRenewed give it, and how it is billed. */
export interface BillingTerm {
  /** First day, `YYYY-MM-DD`. */
  termStart: string;
  /** Last day, inclusive. */
  termEnd: string;
  billingCycle: BillingCycle;
}

/** One billing cycle of a term: `start` to `end`, both inclusive; `index` 0 is the term's first. */
export interface BillingPeriod {
  index: number;
  start: string;
  end: string;
}

/** Months in a cycle of a term billed in several; a term billed `upfront` is one cycle, whatever its length. */
const CYCLE_MONTHS: Record<Exclude<BillingCycle, 'upfront'>, number> = { monthly: 1, annual: 12 };

/**
 * The billing cycles of a term, in order: monthly anniversaries of the term start when billed
 * monthly, yearly ones when billed annually, the whole term when billed upfront (so a P1M term, a
 * P1Y term billed annually and any term billed upfront are one cycle; a P3Y term billed annually is
 * three). Counting every cycle from the term start, not from the previous cycle, keeps a term that
 * starts on the 31st on the 31st (or the month's last day) instead of drifting to the 28th.
 */
export function billingCyclesOf(term: BillingTerm): BillingPeriod[] {
  const cycles: BillingPeriod[] = [];
  eachCycleOf(term, (cycle) => {
    cycles.push(cycle);
    return false;
  });
  return cycles;
}

/** Hands the term's cycles, in order, to `stop` until it returns true; returns that cycle, or null after the last. */
function eachCycleOf(term: BillingTerm, stop: (cycle: BillingPeriod) => boolean): BillingPeriod | null {
  if (term.billingCycle === 'upfront') {
    const only = { index: 0, start: term.termStart, end: term.termEnd < term.termStart ? term.termStart : term.termEnd };
    return stop(only) ? only : null;
  }
  const months = CYCLE_MONTHS[term.billingCycle];
  for (let index = 0; ; index++) {
    const start = addMonths(term.termStart, index * months);
    if (index > 0 && start > term.termEnd) return null;
    const anniversaryEnd = addDays(addMonths(term.termStart, (index + 1) * months), -1);
    const end = anniversaryEnd < term.termEnd ? anniversaryEnd : term.termEnd;
    const cycle = { index, start, end: end < start ? start : end };
    if (stop(cycle)) return cycle;
    if (end >= term.termEnd || end < start) return null;
  }
}

/** The cycle of the term that `date` falls in; the first before the term, the last after it. */
export function billingCycleOn(term: BillingTerm, date: string): BillingPeriod {
  let last: BillingPeriod | null = null;
  return (
    eachCycleOf(term, (cycle) => {
      last = cycle;
      return date <= cycle.end;
    }) ?? last!
  );
}

/** The cycle after the one starting on `cycleStart`, within the term; null when that was the term's last. */
export function nextBillingCycleOf(term: BillingTerm, cycleStart: string): BillingPeriod | null {
  return eachCycleOf(term, (cycle) => cycle.start > cycleStart);
}

/**
 * What one seat costs for `remainingDays` of a cycle of `cycleDays`, a term's price (per seat per
 * term, whatever the term's length) being split evenly over its `cyclesPerTerm` cycles: `unitPrice × remainingDays / (cyclesPerTerm × cycleDays)`,
 * rounded down to the cent. Exact in integers: the remainder term stays far below 2^53.
 */
export function proratedUnitPrice(unitPrice: Cents, cyclesPerTerm: number, remainingDays: number, cycleDays: number): Cents {
  const days = Math.max(0, Math.min(remainingDays, cycleDays));
  const divisor = cyclesPerTerm * cycleDays;
  const whole = (unitPrice - (unitPrice % divisor)) / divisor;
  const rest = (unitPrice % divisor) * days;
  return whole * days + (rest - (rest % divisor)) / divisor;
}

/** One seat for a whole cycle: the term price split evenly over its cycles, rounded down to the cent. */
export const cycleUnitPrice = (unitPrice: Cents, cyclesPerTerm: number): Cents => proratedUnitPrice(unitPrice, cyclesPerTerm, 1, 1);

/** What a term's first cycle charges for `quantity` seats at `unitPrice` (per seat per term): the `new` and `renew` amount. */
export function firstCycleCharge(term: BillingTerm, unitPrice: string, quantity: number): Cents {
  return quantity * cycleUnitPrice(toCents(unitPrice), billingCyclesOf(term).length);
}

/** Days of the cycle from `date` to its end, `date` included. */
export const remainingDaysOf = (cycle: BillingPeriod, date: string): number => daysInclusive(date < cycle.start ? cycle.start : date, cycle.end);

export const daysInCycle = (cycle: BillingPeriod): number => daysInclusive(cycle.start, cycle.end);
