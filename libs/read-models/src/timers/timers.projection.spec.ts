import type { SubscriptionEvent } from '@mfh/domain';
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
