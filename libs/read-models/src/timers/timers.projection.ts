import { renewalDueAt, SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
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
  settledAt: null,
});

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
      return settle(operations, event, (timer) => timer.kind === 'renewal', () => '');
    }
    case 'BillingStarted':
      return [...timers, renewal(subscriptionId, event.data.termStart, event.data.termEnd)];
    case 'SubscriptionRenewed': {
      const settled = settle(timers, event, (timer) => timer.kind === 'renewal', renewedByTimer(subscriptionId));
      return [...settled, renewal(subscriptionId, event.data.termStart, event.data.termEnd)];
    }
    case 'SubscriptionExpired': {
      const renewal = settle(timers, event, (timer) => timer.kind === 'renewal', renewedByTimer(subscriptionId));
      return settle(renewal, event, (timer) => timer.kind === 'operation-auto-accept', () => '');
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
