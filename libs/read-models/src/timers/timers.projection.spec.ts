import { billingCyclesOf, SubscriptionEvent } from '@mfh/domain';
import { derivedId, JsonObject, RecordedEvent } from '@mfh/event-store';
import { foldBatch } from '../projections/projection';
import type { SubscriptionTimersRow } from './timer.row';
import { timerId, timersProjection } from './timers.projection';

const ID = '0b9f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
const op = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const at = (minute: number) => new Date(Date.UTC(2026, 3, 1, 9, minute)).toISOString();

/** Events with their own ids (`id` names the event that the timer's own command would append) and metadata. */
type Given = SubscriptionEvent & { id?: string; metadata?: JsonObject };

function recorded(events: readonly Given[]): RecordedEvent[] {
  return events.map(({ id, metadata, ...event }, revision) => ({
    id: id ?? `10000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: `subscription-${ID}`,
    revision,
    position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
    type: event.type,
    data: event.data as JsonObject,
    metadata: { occurredAt: at(revision), ...metadata },
    recordedAt: new Date('2030-01-01T00:00:00Z'),
    hash: 'h',
    previousHash: null,
  }));
}

function fold(events: readonly Given[], batch = events.length): SubscriptionTimersRow | undefined {
  const rows = new Map<string, SubscriptionTimersRow>();
  const all = recorded(events);
  for (let i = 0; i < all.length; i += batch) foldBatch(timersProjection, rows, all.slice(i, i + batch));
  return rows.get(ID);
}

const seatRequest = (operationId: string): Given => ({
  type: 'SeatChangeRequested',
  data: { operationId, quantity: 9, previousQuantity: 5, requestedBy: 'Partner', requestedAt: '2026-04-01T08:00:00.000Z' },
});
const billingStarted: Given = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 5, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '60.00' },
};
const renewedByTimer: Given = {
  id: derivedId(ID, '2026-04-01', 'renewal-event', 0),
  type: 'SubscriptionRenewed',
  data: { operationId: op(9), termStart: '2026-04-02', termEnd: '2026-05-01', quantity: 5, chargedAmount: '60.00', renewedAt: '2026-04-02T00:00:00.000Z' },
};

describe('timers projection', () => {
  it('sets an auto-accept timer for each change that waits, due a window after its request', () => {
    expect(fold([seatRequest(op(1))])?.timers).toEqual([
      {
        id: timerId('operation-auto-accept', op(1)),
        kind: 'operation-auto-accept',
        state: 'pending',
        dueAt: null,
        startedAt: '2026-04-01T08:00:00.000Z',
        operationId: op(1),
        termEnd: null,
        cycleStart: null,
        settledAt: null,
      },
    ]);
  });

  it('marks it fired when the timeout accepted the change, and cancelled when the publisher answered first', () => {
    const accepted: Given = {
      id: derivedId(op(1), 'auto-accepted', 0),
      type: 'SeatsChanged',
      data: { quantity: 9, previousQuantity: 5, operationId: op(1), changedAt: at(1) },
    };
    const rejected: Given = { type: 'SeatChangeRejected', data: { operationId: op(2), quantity: 9, reason: null, rejectedAt: at(3) } };
    const row = fold([seatRequest(op(1)), accepted, seatRequest(op(2)), rejected]);
    expect(row?.timers.map((t) => [t.operationId, t.state, t.settledAt])).toEqual([
      [op(1), 'fired', at(1)],
      [op(2), 'cancelled', at(3)],
    ]);
  });

  it('sets a renewal timer for each term, due the day after its last, fired by the renewal and replaced by the next term’s', () => {
    const row = fold([billingStarted, renewedByTimer]);
    expect(row?.timers.map((t) => [t.kind, t.termEnd, t.dueAt, t.state])).toEqual([
      ['renewal', '2026-04-01', '2026-04-02T00:00:00.000Z', 'fired'],
      ['renewal', '2026-05-01', '2026-05-02T00:00:00.000Z', 'pending'],
    ]);
    expect(row?.timers[1].id).toBe(timerId('renewal', ID, '2026-05-01'));
  });

  it('cancels every pending timer of a cancelled subscription, the abandoned operation’s included', () => {
    const cancelled: Given = {
      type: 'Cancelled',
      data: { cancelledAt: at(2), requestedBy: 'Partner', refund: null, operationId: op(8), abandonedOperationId: op(1) },
    };
    const row = fold([billingStarted, seatRequest(op(1)), cancelled]);
    expect(row?.timers.map((t) => [t.kind, t.state])).toEqual([
      ['renewal', 'cancelled'],
      ['operation-auto-accept', 'cancelled'],
    ]);
  });

  it('marks the renewal timer fired by an expiry at term end, and cancels the auto-accept of a change the expiry ended', () => {
    const expired: Given = {
      id: derivedId(ID, '2026-04-01', 'renewal-event', 0),
      type: 'SubscriptionExpired',
      data: { operationId: op(9), termEnd: '2026-04-01', expiredAt: '2026-04-02T00:00:00.000Z' },
    };
    expect(fold([billingStarted, expired])?.timers.map((t) => t.state)).toEqual(['fired']);
    expect(fold([billingStarted, seatRequest(op(1)), expired])?.timers.map((t) => [t.kind, t.state])).toEqual([
      ['renewal', 'fired'],
      ['operation-auto-accept', 'cancelled'],
    ]);
  });

  describe('billing cycles of a year billed monthly', () => {
    const yearBilledMonthly: Given = {
      type: 'BillingStarted',
      data: { termStart: '2026-01-31', termEnd: '2027-01-30', quantity: 5, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '50.00' },
    };
    const cycleStarted = (cycleStart: string, cycleEnd: string, byTimer = true): Given => ({
      ...(byTimer ? { id: derivedId(ID, cycleStart, 'billing-cycle', 0) } : {}),
      type: 'BillingCycleStarted',
      data: { cycleStart, cycleEnd, quantity: 5 },
    });
    const cycles = (row: SubscriptionTimersRow | undefined) =>
      row?.timers.filter((t) => t.kind === 'billing-cycle').map((t) => [t.cycleStart, t.dueAt, t.termEnd, t.state]);

    it('sets a timer for the term’s second cycle when billing starts, due at the cycle’s first instant', () => {
      expect(fold([yearBilledMonthly])?.timers).toEqual([
        expect.objectContaining({ kind: 'renewal', termEnd: '2027-01-30' }),
        {
          id: timerId('billing-cycle', ID, '2026-02-28'),
          kind: 'billing-cycle',
          state: 'pending',
          dueAt: '2026-02-28T00:00:00.000Z',
          startedAt: '2026-01-31T00:00:00.000Z',
          operationId: null,
          termEnd: '2027-01-30',
          cycleStart: '2026-02-28',
          settledAt: null,
        },
      ]);
    });

    it('marks it fired by the cycle its own command starts and sets the next, counted from the term start', () => {
      const row = fold([yearBilledMonthly, cycleStarted('2026-02-28', '2026-03-30')]);
      expect(cycles(row)).toEqual([
        ['2026-02-28', '2026-02-28T00:00:00.000Z', '2027-01-30', 'fired'],
        ['2026-03-31', '2026-03-31T00:00:00.000Z', '2027-01-30', 'pending'],
      ]);
      expect(row?.timers.find((t) => t.cycleStart === '2026-02-28')?.settledAt).toBe(at(1));
    });

    it('sets one for each later cycle in turn, and none after the term’s last: the renewal bills the next term', () => {
      const later = billingCyclesOf({ termStart: '2026-01-31', termEnd: '2027-01-30', billingCycle: 'monthly' }).slice(1);
      const row = fold([yearBilledMonthly, ...later.map((cycle) => cycleStarted(cycle.start, cycle.end))]);
      expect(cycles(row)?.map(([cycleStart, , , state]) => [cycleStart, state])).toEqual(later.map((cycle) => [cycle.start, 'fired']));
      expect(later.map((cycle) => cycle.start)).toEqual([
        '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31',
      ]);
    });

    it('marks a cycle started by anything but its own command cancelled', () => {
      expect(cycles(fold([yearBilledMonthly, cycleStarted('2026-02-28', '2026-03-30', false)]))?.[0]).toEqual(['2026-02-28', '2026-02-28T00:00:00.000Z', '2027-01-30', 'cancelled']);
    });

    it('sets the renewed term’s second cycle, and cancels a cycle of the ended term still waiting', () => {
      const renewed: Given = {
        id: derivedId(ID, '2027-01-30', 'renewal-event', 0),
        type: 'SubscriptionRenewed',
        data: { operationId: op(9), termStart: '2027-01-31', termEnd: '2028-01-30', quantity: 5, chargedAmount: '50.00', renewedAt: '2027-01-31T00:00:00.000Z' },
      };
      expect(cycles(fold([yearBilledMonthly, renewed]))).toEqual([
        ['2026-02-28', '2026-02-28T00:00:00.000Z', '2027-01-30', 'cancelled'],
        ['2027-02-28', '2027-02-28T00:00:00.000Z', '2028-01-30', 'pending'],
      ]);
    });

    it('sets none for a term billed in one cycle: a month, or a year billed annually', () => {
      const annual: Given = { ...yearBilledMonthly, data: { ...yearBilledMonthly.data, billingCycle: 'annual' } } as Given;
      expect(cycles(fold([billingStarted, renewedByTimer]))).toEqual([]);
      expect(cycles(fold([annual]))).toEqual([]);
    });

    it('cancels the pending cycle when the subscription is cancelled or expires', () => {
      const cancelled: Given = { type: 'Cancelled', data: { cancelledAt: at(2), requestedBy: 'Partner', refund: null, operationId: op(8), abandonedOperationId: null } };
      const expired: Given = { type: 'SubscriptionExpired', data: { operationId: op(9), termEnd: '2027-01-30', expiredAt: '2027-01-31T00:00:00.000Z' } };
      expect(cycles(fold([yearBilledMonthly, cancelled]))?.map((t) => t[3])).toEqual(['cancelled']);
      expect(cycles(fold([yearBilledMonthly, expired]))?.map((t) => t[3])).toEqual(['cancelled']);
    });

    it('gives the same rows however the log is batched, and replayed', () => {
      const events = [yearBilledMonthly, cycleStarted('2026-02-28', '2026-03-30'), cycleStarted('2026-03-31', '2026-04-29')];
      const once = fold(events);
      expect(fold(events, 1)).toEqual(once);
      const rows = new Map<string, SubscriptionTimersRow>();
      foldBatch(timersProjection, rows, recorded(events));
      foldBatch(timersProjection, rows, recorded(events));
      expect(rows.get(ID)).toEqual(once);
      expect(cycles(once)?.map((t) => t[3])).toEqual(['fired', 'fired', 'pending']);
    });
  });

  describe('billing cycles of multi-year terms', () => {
    const started = (termStart: string, termEnd: string, billingCycle: 'monthly' | 'annual' | 'upfront'): Given => ({
      type: 'BillingStarted',
      data: { termStart, termEnd, quantity: 3, unitPrice: '540.00', currency: 'USD', billingCycle, chargedAmount: '540.00' },
    });
    const cycleStarted = (cycleStart: string, cycleEnd: string): Given => ({
      id: derivedId(ID, cycleStart, 'billing-cycle', 0),
      type: 'BillingCycleStarted',
      data: { cycleStart, cycleEnd, quantity: 3 },
    });
    const renewed = (termEnd: string, termStart: string, nextTermEnd: string): Given => ({
      id: derivedId(ID, termEnd, 'renewal-event', 0),
      type: 'SubscriptionRenewed',
      data: { operationId: op(9), termStart, termEnd: nextTermEnd, quantity: 3, chargedAmount: '540.00', renewedAt: `${termStart}T00:00:00.000Z` },
    });
    const cycles = (row: SubscriptionTimersRow | undefined) => row?.timers.filter((t) => t.kind === 'billing-cycle').map((t) => [t.cycleStart, t.termEnd, t.state]);
    const P3Y_ANNUAL = started('2027-01-05', '2030-01-04', 'annual');

    it('sets a three-year term billed annually its second year’s cycle, due on the first anniversary', () => {
      expect(fold([P3Y_ANNUAL])?.timers).toEqual([
        expect.objectContaining({ kind: 'renewal', termEnd: '2030-01-04', dueAt: '2030-01-05T00:00:00.000Z' }),
        expect.objectContaining({ kind: 'billing-cycle', cycleStart: '2028-01-05', dueAt: '2028-01-05T00:00:00.000Z', termEnd: '2030-01-04', state: 'pending' }),
      ]);
    });

    it('sets the third year’s once the second began, a year later, and none after it', () => {
      expect(cycles(fold([P3Y_ANNUAL, cycleStarted('2028-01-05', '2029-01-04')]))).toEqual([
        ['2028-01-05', '2030-01-04', 'fired'],
        ['2029-01-05', '2030-01-04', 'pending'],
      ]);
      expect(cycles(fold([P3Y_ANNUAL, cycleStarted('2028-01-05', '2029-01-04'), cycleStarted('2029-01-05', '2030-01-04')]))).toEqual([
        ['2028-01-05', '2030-01-04', 'fired'],
        ['2029-01-05', '2030-01-04', 'fired'],
      ]);
    });

    it('keeps a three-year term billed monthly on months past its first year (the thirteenth cycle is not a year’s)', () => {
      const monthly = started('2027-01-05', '2030-01-04', 'monthly');
      const year = billingCyclesOf({ termStart: '2027-01-05', termEnd: '2030-01-04', billingCycle: 'monthly' }).slice(1, 13);
      expect(year.at(-1)?.start).toBe('2028-01-05');
      const row = fold([monthly, ...year.map((cycle) => cycleStarted(cycle.start, cycle.end))]);
      expect(cycles(row)?.at(-1)).toEqual(['2028-02-05', '2030-01-04', 'pending']);
    });

    it('keeps a term from a leap day billed annually on its clamped anniversary', () => {
      expect(cycles(fold([started('2028-02-29', '2030-02-27', 'annual')]))).toEqual([['2029-02-28', '2030-02-27', 'pending']]);
    });

    it('bills a renewed two-year term billed annually as the one it renews: its second year’s cycle', () => {
      const twoYears = started('2027-01-05', '2029-01-04', 'annual');
      expect(cycles(fold([twoYears, cycleStarted('2028-01-05', '2029-01-04'), renewed('2029-01-04', '2029-01-05', '2031-01-04')]))).toEqual([
        ['2028-01-05', '2029-01-04', 'fired'],
        ['2030-01-05', '2031-01-04', 'pending'],
      ]);
    });

    it('sets none for a term billed upfront, nor for its renewal', () => {
      const upfront = started('2027-01-05', '2029-01-04', 'upfront');
      expect(fold([upfront])?.timers.map((t) => t.kind)).toEqual(['renewal']);
      expect(cycles(fold([upfront, renewed('2029-01-04', '2029-01-05', '2031-01-04')]))).toEqual([]);
    });
  });

  describe('a renewal that applied scheduled instructions (SPEC §13)', () => {
    const cycles = (row: SubscriptionTimersRow | undefined) => row?.timers.filter((t) => t.kind === 'billing-cycle').map((t) => [t.cycleStart, t.termEnd, t.state]);
    const renewedAs = (termEnd: string, termStart: string, nextTermEnd: string, billingCycle?: 'monthly' | 'annual' | 'upfront'): Given => ({
      id: derivedId(ID, termEnd, 'renewal-event', 0),
      type: 'SubscriptionRenewed',
      data: {
        operationId: op(9),
        termStart,
        termEnd: nextTermEnd,
        quantity: 5,
        chargedAmount: '50.00',
        renewedAt: `${termStart}T00:00:00.000Z`,
        ...(billingCycle ? { planId: 'standard', termDuration: 'P1Y', billingCycle, unitPrice: '120.00' } : {}),
      },
    });

    it('bills the new term as the renewal says: a month renewed as a year billed monthly gets its second month’s cycle', () => {
      const row = fold([billingStarted, renewedAs('2026-04-01', '2026-04-02', '2027-04-01', 'monthly')]);
      expect(row?.timers.filter((t) => t.kind === 'renewal').map((t) => [t.termEnd, t.state])).toEqual([
        ['2026-04-01', 'fired'],
        ['2027-04-01', 'pending'],
      ]);
      expect(cycles(row)).toEqual([['2026-05-02', '2027-04-01', 'pending']]);
    });

    it('sets no cycle for a year billed monthly renewed as one billed annually, and cancels the ended term’s', () => {
      const yearBilledMonthly: Given = { ...billingStarted, data: { ...billingStarted.data, termEnd: '2027-03-01' } } as Given;
      expect(cycles(fold([yearBilledMonthly, renewedAs('2027-03-01', '2027-03-02', '2028-03-01', 'annual')]))).toEqual([['2026-04-02', '2027-03-01', 'cancelled']]);
    });

    it('infers the billing of a plain renewal from the term it renews, not from an earlier one billed otherwise', () => {
      const yearBilledMonthly: Given = { ...billingStarted, data: { ...billingStarted.data, termEnd: '2027-03-01' } } as Given;
      const history = [yearBilledMonthly, renewedAs('2027-03-01', '2027-03-02', '2028-03-01', 'annual'), renewedAs('2028-03-01', '2028-03-02', '2029-03-01')];
      expect(cycles(fold(history))).toEqual([['2026-04-02', '2027-03-01', 'cancelled']]);
      expect(cycles(fold([yearBilledMonthly, renewedAs('2027-03-01', '2027-03-02', '2028-03-01', 'monthly'), renewedAs('2028-03-01', '2028-03-02', '2029-03-01')]))).toEqual([
        ['2026-04-02', '2027-03-01', 'cancelled'],
        ['2027-04-02', '2028-03-01', 'cancelled'],
        ['2028-04-02', '2029-03-01', 'pending'],
      ]);
    });

    it('sets and settles nothing for the plan and seat operations the renewal records', () => {
      const applied: Given = {
        type: 'NextTermChangeApplied',
        data: { operationId: op(7), action: 'ChangePlan', planId: 'enterprise', previousPlanId: 'standard', quantity: 12, previousQuantity: 5, appliedAt: '2026-04-02T00:00:00.000Z' },
      };
      expect(fold([billingStarted, renewedByTimer, applied])).toEqual(fold([billingStarted, renewedByTimer]));
    });
  });

  it('gives the same rows however the log is batched, and replayed', () => {
    const events = [billingStarted, seatRequest(op(1)), renewedByTimer, seatRequest(op(2))];
    const once = fold(events);
    expect(fold(events, 1)).toEqual(once);
    const rows = new Map<string, SubscriptionTimersRow>();
    foldBatch(timersProjection, rows, recorded(events));
    foldBatch(timersProjection, rows, recorded(events));
    expect(rows.get(ID)).toEqual(once);
  });

  describe('on a test clock', () => {
    const CLOCK = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';
    const onClock = (event: Given, testClockId = CLOCK): Given => ({ ...event, metadata: { testClockId } });

    it('names no clock for a subscription whose events name none: the wall clock fires its timers', () => {
      expect(fold([billingStarted, seatRequest(op(1))])?.testClockId).toBeNull();
    });

    it('takes the clock from the metadata of the event that sets the first timer', () => {
      expect(fold([onClock(billingStarted)])).toMatchObject({ key: ID, testClockId: CLOCK, timers: [expect.objectContaining({ kind: 'renewal', state: 'pending' })] });
    });

    it('settles a timer at the clock’s time the settling event was decided at, not when it was recorded', () => {
      const accepted: Given = {
        id: derivedId(op(1), 'auto-accepted', 0),
        type: 'SeatsChanged',
        data: { quantity: 9, previousQuantity: 5, operationId: op(1), changedAt: '2027-01-01T00:00:10.000Z' },
        metadata: { testClockId: CLOCK, occurredAt: '2027-01-01T00:00:10.000Z' },
      };
      expect(fold([onClock(seatRequest(op(1))), accepted])?.timers.map((t) => [t.state, t.settledAt])).toEqual([['fired', '2027-01-01T00:00:10.000Z']]);
    });

    it('keeps the clock once set, whatever later events name', () => {
      const other = '00000000-0000-4000-8000-0000000000cc';
      expect(fold([onClock(billingStarted), seatRequest(op(1)), onClock(renewedByTimer, other)])?.testClockId).toBe(CLOCK);
      expect(fold([onClock(billingStarted), seatRequest(op(1))], 1)?.testClockId).toBe(CLOCK);
    });

    it('ignores a testClockId that is not a string', () => {
      expect(fold([{ ...billingStarted, metadata: { testClockId: 42 } }])?.testClockId).toBeNull();
    });
  });

  it('ignores what sets or settles no timer', () => {
    expect(fold([{ type: 'SubscriptionRenamed', data: { friendlyName: 'x', previousFriendlyName: 'y' } }])).toBeUndefined();
  });
});
