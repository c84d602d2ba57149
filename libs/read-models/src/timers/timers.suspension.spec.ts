import type { SubscriptionEvent } from '@mfh/domain';
import { derivedId, JsonObject, RecordedEvent } from '@mfh/event-store';
import { foldBatch } from '../projections/projection';
import type { SubscriptionTimersRow, TimerEntry } from './timer.row';
import { timerId, timersProjection } from './timers.projection';

/** The timers a suspension sets and settles: its grace, the reinstatement's auto-accept, and the renewal it held back. */
const ID = '5a1e7c2b-3d4f-4a6b-8c9d-0e1f2a3b4c5d';
const SUSPEND_OP = '00000000-0000-4000-8000-00000000000a';
const REINSTATE_OP = '00000000-0000-4000-8000-00000000000b';

type Given = SubscriptionEvent & { id?: string };

function fold(events: readonly Given[]): readonly TimerEntry[] {
  const rows = new Map<string, SubscriptionTimersRow>();
  const recorded: RecordedEvent[] = events.map(({ id, ...event }, revision) => ({
    id: id ?? `20000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: `subscription-${ID}`,
    revision,
    position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
    type: event.type,
    data: event.data as JsonObject,
    metadata: { occurredAt: '2026-03-20T10:00:00.000Z' },
    recordedAt: new Date('2030-01-01T00:00:00Z'),
    hash: 'h',
    previousHash: null,
  }));
  foldBatch(timersProjection, rows, recorded);
  return rows.get(ID)!.timers;
}

const billingStarted: Given = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 5, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '60.00' },
};
const suspended: Given = {
  type: 'SubscriptionSuspended',
  data: {
    operationId: SUSPEND_OP,
    reasons: ['nonpayment'],
    requestedBy: 'Partner',
    suspendedAt: '2026-03-20T10:00:00.000Z',
    graceEndsAt: '2026-04-19T10:00:00.000Z',
    abandonedOperationId: null,
  },
};
const requested: Given = { type: 'ReinstatementRequested', data: { operationId: REINSTATE_OP, requestedBy: 'Partner', requestedAt: '2026-04-05T08:00:00.000Z' } };
const reinstated = (id?: string): Given => ({
  id,
  type: 'SubscriptionReinstated',
  data: { operationId: REINSTATE_OP, reinstatedAt: '2026-04-05T08:00:10.000Z', termEnd: '2026-04-01' },
});
const byKind = (timers: readonly TimerEntry[], kind: TimerEntry['kind']) => timers.filter((timer) => timer.kind === kind);

describe('timers projection: suspensions and trials', () => {
  it('sets the grace timer, due when the suspension says', () => {
    expect(byKind(fold([billingStarted, suspended]), 'suspension-grace')).toEqual([
      {
        id: timerId('suspension-grace', SUSPEND_OP),
        kind: 'suspension-grace',
        state: 'pending',
        dueAt: '2026-04-19T10:00:00.000Z',
        startedAt: '2026-03-20T10:00:00.000Z',
        operationId: SUSPEND_OP,
        termEnd: null,
        cycleStart: null,
        settledAt: null,
      },
    ]);
  });

  it('fires it when the grace expiry cancels, and cancels it (with the renewal) on a cancellation by anyone else', () => {
    const expiry = (id: string): Given => ({
      id,
      type: 'Cancelled',
      data: { cancelledAt: '2026-04-19T10:00:00.000Z', requestedBy: 'System', refund: null, operationId: 'op-x', abandonedOperationId: null, cause: 'SuspensionGraceExpired' },
    });
    const fired = fold([billingStarted, suspended, expiry(derivedId(SUSPEND_OP, 'grace-expired-event', 0))]);
    expect(byKind(fired, 'suspension-grace').map((t) => t.state)).toEqual(['fired']);
    expect(byKind(fired, 'renewal').map((t) => t.state)).toEqual(['cancelled']);
    expect(byKind(fold([billingStarted, suspended, expiry('30000000-0000-4000-8000-000000000001')]), 'suspension-grace').map((t) => t.state)).toEqual(['cancelled']);
  });

  it('gives a reinstatement request an auto-accept timer, which its acceptance by timeout fires, and the grace ends', () => {
    const waiting = fold([billingStarted, suspended, requested]);
    expect(byKind(waiting, 'operation-auto-accept')).toEqual([expect.objectContaining({ operationId: REINSTATE_OP, state: 'pending', startedAt: '2026-04-05T08:00:00.000Z' })]);
    const back = fold([billingStarted, suspended, requested, reinstated(derivedId(REINSTATE_OP, 'auto-accepted', 0))]);
    expect(byKind(back, 'operation-auto-accept').map((t) => t.state)).toEqual(['fired']);
    expect(byKind(back, 'suspension-grace').map((t) => t.state)).toEqual(['cancelled']);
    const refused = fold([billingStarted, suspended, requested, { type: 'ReinstatementRejected', data: { operationId: REINSTATE_OP, reason: null, rejectedAt: '2026-04-05T08:00:05.000Z' } }]);
    expect(byKind(refused, 'operation-auto-accept').map((t) => t.state)).toEqual(['cancelled']);
    expect(byKind(refused, 'suspension-grace').map((t) => t.state)).toEqual(['pending']);
  });

  it('asks again, due from the reinstatement under a new id, for the renewal that came due while suspended', () => {
    const back = fold([billingStarted, suspended, requested, reinstated()]);
    const renewals = byKind(back, 'renewal');
    expect(renewals.map((t) => [t.id, t.state, t.dueAt, t.termEnd])).toEqual([
      [timerId('renewal', ID, '2026-04-01'), 'cancelled', '2026-04-02T00:00:00.000Z', '2026-04-01'],
      [timerId('renewal', ID, '2026-04-01', REINSTATE_OP), 'pending', '2026-04-05T08:00:10.000Z', '2026-04-01'],
    ]);
  });

  it('counts a trial’s renewal as fired by its timer, TrialConverted coming first under an id of its own', () => {
    const renewed: Given = {
      id: derivedId(ID, '2026-04-01', 'renewal-event', 0),
      type: 'SubscriptionRenewed',
      data: { operationId: 'op-r', termStart: '2026-04-02', termEnd: '2026-05-01', quantity: 5, chargedAmount: '60.00', renewedAt: '2026-04-02T00:00:00.000Z' },
    };
    const converted: Given = {
      id: derivedId(ID, '2026-04-01', 'renewal-event', 'trial-converted'),
      type: 'TrialConverted',
      data: { unitPrice: '12.00', convertedAt: '2026-04-02T00:00:00.000Z', cancellationAllowedUntil: '2026-04-05T00:00:00.000Z' },
    };
    const renewals = byKind(fold([billingStarted, converted, renewed]), 'renewal');
    expect(renewals.map((t) => [t.termEnd, t.state])).toEqual([
      ['2026-04-01', 'fired'],
      ['2026-05-01', 'pending'],
    ]);
  });

  it('keeps the renewal when it is reinstated before its term ends, due as it was', () => {
    const early = { ...reinstated(), data: { operationId: REINSTATE_OP, reinstatedAt: '2026-03-25T08:00:00.000Z', termEnd: '2026-04-01' } } as Given;
    const renewals = byKind(fold([billingStarted, suspended, requested, early]), 'renewal');
    expect(renewals.filter((t) => t.state === 'pending').map((t) => t.dueAt)).toEqual(['2026-04-02T00:00:00.000Z']);
  });
});
