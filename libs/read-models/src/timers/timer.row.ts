import type { ProjectionRow } from '../projections/projection';

/**
 * What a timer does when it fires: accept an operation left unanswered, renew (or end) a term, start
 * a term's next billing cycle, or cancel a subscription whose suspension outlasted its grace.
 */
export type TimerKind = 'operation-auto-accept' | 'renewal' | 'billing-cycle' | 'suspension-grace';

/** `fired`: the timer's own command changed the subscription; `cancelled`: something else settled it first. */
export type TimerState = 'pending' | 'fired' | 'cancelled';

export interface TimerEntry {
  id: string;
  kind: TimerKind;
  state: TimerState;
  /**
   * When it is due, in business time. An auto-accept is due a window (OPERATION_AUTO_ACCEPT_MS, a
   * setting) after `startedAt`, so only its start is stored and readers add the window.
   */
  dueAt: string | null;
  /** When its wait began: the operation's request, or the term's start. */
  startedAt: string;
  /** The operation it answers, or (suspension-grace) the suspension's. */
  operationId: string | null;
  /** The last day of the term a renewal ends, or of the term a billing cycle belongs to. */
  termEnd: string | null;
  /** The first day of the billing cycle a billing-cycle timer starts. */
  cycleStart: string | null;
  /** The business time it fired or was cancelled at. */
  settledAt: string | null;
}

/** Every timer a subscription has had, in the order they were set. */
export interface SubscriptionTimersRow extends ProjectionRow {
  readonly timers: readonly TimerEntry[];
  /** The test clock whose advances fire them; null: the wall clock does. */
  readonly testClockId: string | null;
}
