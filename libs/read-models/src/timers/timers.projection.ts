import { BillingTerm, nextBillingCycleDue, renewalDueAt, SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { derivedId, eventsOfType } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import type { SubscriptionTimersRow, TimerEntry, TimerKind } from './timer.row';
import { timersTable } from './timers.repository';

export const timerEvents = eventsOfType<SubscriptionEvent>()(
  'SeatChangeRequested',
  'PlanChangeRequested',
  'CancellationRequested',
  'SeatsChanged',
  'SeatChangeRejected',
  'PlanChanged',
  'PlanChangeRejected',
  'CancellationRejected',
  'Cancelled',
  'BillingStarted',
  'BillingCycleStarted',
  'SubscriptionRenewed',
  'SubscriptionExpired',
);
export type TimerEvent = GuardedEvent<typeof timerEvents>;

export const timerId = (kind: TimerKind, ...key: string[]): string => derivedId('timer', kind, ...key);

/** Business time: the clock the event's command was decided at. */
const occurredAt = (event: TimerEvent): string => String(event.metadata.occurredAt ?? event.recordedAt.toISOString());

const autoAccept = (operationId: string, startedAt: string): TimerEntry => ({
  id: timerId('operation-auto-accept', operationId),
  kind: 'operation-auto-accept',
  state: 'pending',
  dueAt: null,
  startedAt,
  operationId,
  termEnd: null,
  cycleStart: null,
  settledAt: null,
});

const renewal = (subscriptionId: string, termStart: string, termEnd: string): TimerEntry => ({
  id: timerId('renewal', subscriptionId, termEnd),
  kind: 'renewal',
  state: 'pending',
  dueAt: renewalDueAt(termEnd),
  startedAt: `${termStart}T00:00:00.000Z`,
  operationId: null,
  termEnd,
  cycleStart: null,
  settledAt: null,
});

/** The cycle after `currentCycleStart`, when the term is billed in several: none for a term billed in one. */
function billingCycle(subscriptionId: string, term: BillingTerm, currentCycleStart: string): TimerEntry[] {
  const next = nextBillingCycleDue(term, currentCycleStart);
  if (!next) return [];
  return [
    {
      id: timerId('billing-cycle', subscriptionId, next.cycleStart),
      kind: 'billing-cycle',
      state: 'pending',
      dueAt: next.dueAt,
      startedAt: `${term.termStart}T00:00:00.000Z`,
      operationId: null,
      termEnd: term.termEnd,
      cycleStart: next.cycleStart,
      settledAt: null,
    },
  ];
}

/** The term a billing-cycle timer belongs to: only a term billed monthly has more than one cycle. */
const termOf = (timer: TimerEntry): BillingTerm => ({ termStart: timer.startedAt.slice(0, 10), termEnd: timer.termEnd!, billingCycle: 'monthly' });

/**
 * Settles the pending timers `which` picks: fired when `event` is the one their own command appends
 * (its id is derived from the timer's cause, as the worker derives it), cancelled otherwise.
 */
function settle(timers: readonly TimerEntry[], event: TimerEvent, which: (timer: TimerEntry) => boolean, firedBy: (timer: TimerEntry) => string): TimerEntry[] {
  return timers.map((timer) =>
    timer.state === 'pending' && which(timer)
      ? { ...timer, state: event.id === firedBy(timer) ? 'fired' : 'cancelled', settledAt: occurredAt(event) }
      : timer,
  );
}

const acceptedByTimeout = (timer: TimerEntry) => derivedId(timer.operationId!, 'auto-accepted', 0);
const renewedByTimer = (subscriptionId: string) => (timer: TimerEntry) => derivedId(subscriptionId, timer.termEnd!, 'renewal-event', 0);
const cycleStartedByTimer = (subscriptionId: string) => (timer: TimerEntry) => derivedId(subscriptionId, timer.cycleStart!, 'billing-cycle', 0);
const isBillingCycle = (timer: TimerEntry) => timer.kind === 'billing-cycle';
const endsWithTerm = (timer: TimerEntry) => timer.kind === 'renewal' || timer.kind === 'billing-cycle';
const operationTimer = (...operationIds: (string | null)[]) => (timer: TimerEntry) =>
  timer.kind === 'operation-auto-accept' && operationIds.includes(timer.operationId);

function next(timers: readonly TimerEntry[], event: TimerEvent, subscriptionId: string): readonly TimerEntry[] {
  switch (event.type) {
    case 'SeatChangeRequested':
    case 'PlanChangeRequested':
    case 'CancellationRequested':
      return [...timers, autoAccept(event.data.operationId, event.data.requestedAt)];
    case 'SeatsChanged':
    case 'PlanChanged':
    case 'SeatChangeRejected':
    case 'PlanChangeRejected':
    case 'CancellationRejected':
      return settle(timers, event, operationTimer(event.data.operationId), acceptedByTimeout);
    case 'Cancelled': {
      const operations = settle(timers, event, operationTimer(event.data.operationId, event.data.abandonedOperationId), acceptedByTimeout);
      return settle(operations, event, endsWithTerm, () => '');
    }
    case 'BillingStarted': {
      const { termStart, termEnd, billingCycle: cycle } = event.data;
      return [...timers, renewal(subscriptionId, termStart, termEnd), ...billingCycle(subscriptionId, { termStart, termEnd, billingCycle: cycle }, termStart)];
    }
    case 'BillingCycleStarted': {
      const { cycleStart } = event.data;
      const own = timers.find((timer) => isBillingCycle(timer) && timer.cycleStart === cycleStart);
      const settled = settle(timers, event, (timer) => isBillingCycle(timer) && timer.cycleStart! <= cycleStart, cycleStartedByTimer(subscriptionId));
      if (!own) return settled;
      const following = billingCycle(subscriptionId, termOf(own), cycleStart).filter((timer) => !timers.some((known) => known.id === timer.id));
      return [...settled, ...following];
    }
    case 'SubscriptionRenewed': {
      const { termStart, termEnd } = event.data;
      // The renewal does not repeat how the term is billed; only a subscription billed monthly for a year ever had billing-cycle timers.
      const cycle = timers.some(isBillingCycle) ? 'monthly' : 'annual';
      const renewed = settle(timers, event, (timer) => timer.kind === 'renewal', renewedByTimer(subscriptionId));
      // A cycle of the term that just ended can no longer start.
      const settled = settle(renewed, event, isBillingCycle, () => '');
      return [...settled, renewal(subscriptionId, termStart, termEnd), ...billingCycle(subscriptionId, { termStart, termEnd, billingCycle: cycle }, termStart)];
    }
    case 'SubscriptionExpired': {
      const renewal = settle(timers, event, (timer) => timer.kind === 'renewal', renewedByTimer(subscriptionId));
      return settle(renewal, event, (timer) => timer.kind !== 'renewal', () => '');
    }
    default:
      return unknownEvent(event, timers);
  }
}

/** The compiler checks that every handled type has its case. */
const unknownEvent = (_event: never, timers: readonly TimerEntry[]): readonly TimerEntry[] => timers;

/** The timers each event sets or settles, per subscription. */
export function evolveTimers(row: SubscriptionTimersRow | null, event: TimerEvent): SubscriptionTimersRow | null {
  const subscriptionId = subscriptionIdOf(event.streamId);
  if (subscriptionId === null) return row;
  const testClockId = typeof event.metadata.testClockId === 'string' ? event.metadata.testClockId : null;
  return { key: subscriptionId, revision: event.revision, timers: next(row?.timers ?? [], event, subscriptionId), testClockId: row?.testClockId ?? testClockId };
}

/** Every business-time timer of every subscription, with its state, for the admin (GET /v1/admin/timers). */
export const timersProjection: Projection<SubscriptionTimersRow, TimerEvent> = {
  name: 'timers',
  tables: ['subscription_timers'],
  canHandle: timerEvents,
  keyOf: (event) => subscriptionIdOf(event.streamId),
  evolve: evolveTimers,
  load: timersTable.load,
  save: timersTable.save,
};
