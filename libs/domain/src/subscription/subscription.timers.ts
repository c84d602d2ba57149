import { BillingTerm, nextBillingCycleOf } from '../billing/billing-cycles';
import { addDays } from '../shared/time';
import { hasTerm, type SubscriptionState } from './subscription.state';

/**
 * When a term ending on `termEnd` (its last day, inclusive) is due for renewal: the start of the
 * next UTC day, the first instant at which RenewSubscription acts.
 */
export const renewalDueAt = (termEnd: string): string => `${addDays(termEnd, 1)}T00:00:00.000Z`;

/** A later billing cycle of a term, and the first instant at which StartBillingCycle for it acts (the start of its first UTC day). */
export interface DueBillingCycle {
  cycleStart: string;
  cycleEnd: string;
  dueAt: string;
}

export const billingCycleDueAt = (cycleStart: string): string => `${cycleStart}T00:00:00.000Z`;

/**
 * The cycle of `term` after the one starting on `currentCycleStart` (the term start after
 * BillingStarted or SubscriptionRenewed, `cycleStart` after BillingCycleStarted); null when that
 * was the term's last, as it always is for a term billed in one cycle: the renewal bills the next.
 */
export function nextBillingCycleDue(term: BillingTerm, currentCycleStart: string): DueBillingCycle | null {
  const next = nextBillingCycleOf(term, currentCycleStart);
  return next && { cycleStart: next.start, cycleEnd: next.end, dueAt: billingCycleDueAt(next.start) };
}

/** The next cycle a subscription's state waits for; null unless billing runs and the term has one more. */
export function nextBillingCycleDueOf(state: SubscriptionState): DueBillingCycle | null {
  if (!hasTerm(state)) return null;
  const { termStart, termEnd, cycleStart } = state.billing;
  return nextBillingCycleDue({ termStart, termEnd, billingCycle: state.billingCycle }, cycleStart);
}
