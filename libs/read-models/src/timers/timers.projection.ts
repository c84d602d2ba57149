import { addDays, addMonths, BillingCycle, BillingTerm, nextBillingCycleDue, renewalDueAt, SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
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
  'SubscriptionSuspended',
  'ReinstatementRequested',
  'SubscriptionReinstated',
  'ReinstatementRejected',
  'BillingCycleSkipped',
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

const suspensionGrace = (operationId: string, suspendedAt: string, graceEndsAt: string): TimerEntry => ({
  id: timerId('suspension-grace', operationId),
  kind: 'suspension-grace',
  state: 'pending',
  dueAt: graceEndsAt,
  startedAt: suspendedAt,
  operationId,
  termEnd: null,
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

/**
 * The term a billing-cycle timer belongs to, and how it is billed. The events do not say (a cycle
 * names no term, a renewal not its billing), but the term's timers do: they are set one cycle at a
 * time from the term's start, so its first is due a month in when billed monthly, a year in when annually.
 */
function termOf(timer: TimerEntry, timers: readonly TimerEntry[]): BillingTerm {
  const termStart = timer.startedAt.slice(0, 10);
  const firstCycleStart = timers
    .filter((known) => isBillingCycle(known) && known.startedAt === timer.startedAt && known.termEnd === timer.termEnd)
    .reduce((first, known) => (known.cycleStart! < first ? known.cycleStart! : first), timer.cycleStart!);
  return { termStart, termEnd: timer.termEnd!, billingCycle: firstCycleStart === addMonths(termStart, 1) ? 'monthly' : 'annual' };
}

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
const graceExpiredByTimer = (timer: TimerEntry) => derivedId(timer.operationId!, 'grace-expired-event', 0);
const isBillingCycle = (timer: TimerEntry) => timer.kind === 'billing-cycle';
const isGrace = (timer: TimerEntry) => timer.kind === 'suspension-grace';
const endsWithTerm = (timer: TimerEntry) => timer.kind === 'renewal' || timer.kind === 'billing-cycle';
const operationTimer = (...operationIds: (string | null)[]) => (timer: TimerEntry) =>
  timer.kind === 'operation-auto-accept' && operationIds.includes(timer.operationId);

function next(timers: readonly TimerEntry[], event: TimerEvent, subscriptionId: string): readonly TimerEntry[] {
  switch (event.type) {
    case 'SeatChangeRequested':
    case 'PlanChangeRequested':
    case 'CancellationRequested':
    case 'ReinstatementRequested':
      return [...timers, autoAccept(event.data.operationId, event.data.requestedAt)];
    case 'SeatsChanged':
    case 'PlanChanged':
    case 'SeatChangeRejected':
    case 'PlanChangeRejected':
    case 'CancellationRejected':
    case 'ReinstatementRejected':
      return settle(timers, event, operationTimer(event.data.operationId), acceptedByTimeout);
    case 'Cancelled': {
      const operations = settle(timers, event, operationTimer(event.data.operationId, event.data.abandonedOperationId), acceptedByTimeout);
      const grace = settle(operations, event, isGrace, graceExpiredByTimer);
      return settle(grace, event, endsWithTerm, () => '');
    }
    case 'SubscriptionSuspended': {
      const { operationId, suspendedAt, graceEndsAt, abandonedOperationId } = event.data;
      return [...settle(timers, event, operationTimer(abandonedOperationId), () => ''), suspensionGrace(operationId, suspendedAt, graceEndsAt)];
    }
    case 'SubscriptionReinstated': {
      const { operationId, reinstatedAt, termEnd } = event.data;
      const answered = settle(timers, event, operationTimer(operationId), acceptedByTimeout);
      const graceOver = settle(answered, event, isGrace, () => '');
      // A renewal that came due while suspended did nothing; it is due again now, under a new id so that an advance already past it fires it.
      const waiting = graceOver.find((timer) => timer.kind === 'renewal' && timer.state === 'pending' && timer.termEnd === termEnd);
      if (!waiting) return graceOver;
      const due = Date.parse(waiting.dueAt!) > Date.parse(reinstatedAt) ? waiting.dueAt! : reinstatedAt;
      const rearmed: TimerEntry = { ...waiting, id: timerId('renewal', subscriptionId, termEnd, operationId), dueAt: due };
      return [...settle(graceOver, event, (timer) => timer.id === waiting.id, () => ''), rearmed];
    }
    case 'BillingStarted': {
      const { termStart, termEnd, billingCycle: cycle } = event.data;
      return [...timers, renewal(subscriptionId, termStart, termEnd), ...billingCycle(subscriptionId, { termStart, termEnd, billingCycle: cycle }, termStart)];
    }
    case 'BillingCycleStarted':
    case 'BillingCycleSkipped': {
      const { cycleStart } = event.data;
      const own = timers.find((timer) => isBillingCycle(timer) && timer.cycleStart === cycleStart);
      const settled = settle(timers, event, (timer) => isBillingCycle(timer) && timer.cycleStart! <= cycleStart, cycleStartedByTimer(subscriptionId));
      if (!own) return settled;
      const following = billingCycle(subscriptionId, termOf(own, timers), cycleStart).filter((timer) => !timers.some((known) => known.id === timer.id));
      return [...settled, ...following];
    }
    case 'SubscriptionRenewed': {
      const { termStart, termEnd, billingCycle: scheduled } = event.data;
      // A renewal that applied scheduled instructions says how the new term is billed. Otherwise the term it
      // renews tells: billed as it was, or, with no cycle timers of its own, in one cycle again.
      const last = [...timers].reverse().find((timer) => isBillingCycle(timer) && timer.termEnd === addDays(termStart, -1));
      const cycle: BillingCycle = scheduled ?? (last ? termOf(last, timers).billingCycle : 'upfront');
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
