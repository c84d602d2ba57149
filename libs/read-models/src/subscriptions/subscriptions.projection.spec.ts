import { evolveSubscription, ExistingSubscription, initialSubscriptionState, rate, SubscriptionEvent, SubscriptionState } from '@mfh/domain';
import type { JsonObject, RecordedEvent } from '@mfh/event-store';
import { invoiceLine, purchasedEvent } from '@mfh/testing';
import { foldBatch } from '../projections/projection';
import { partnerSubscriptionView } from './partner-subscription.view';
import { saasSubscriptionView } from './saas-subscription.view';
import type { SubscriptionRow } from './subscription.row';
import { partnerSubscriptionRowView, saasSubscriptionRowView } from './subscription-row.views';
import { subscriptionsProjection } from './subscriptions.projection';

const ID = '0b9f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
const LINK = 'https://fabrikam.example/landing?token=code';
const op = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

const purchased = (fields: Parameters<typeof purchasedEvent>[0] = {}): SubscriptionEvent =>
  purchasedEvent({
    subscriptionId: ID,
    customerId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
    orderId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    quantity: 5,
    termDuration: 'P1Y',
    friendlyName: 'Sales CRM',
    unitPrice: '120.00',
    cancellationAllowedUntil: '2026-03-15T10:00:00.000Z',
    ...fields,
  });
const at = (minute: number) => new Date(Date.UTC(2026, 3, 1, 9, minute)).toISOString();
const seatRequest = (id: string, quantity: number, previousQuantity: number): SubscriptionEvent => ({
  type: 'SeatChangeRequested',
  data: { operationId: id, quantity, previousQuantity, requestedBy: 'Partner', requestedAt: at(1) },
});
const billingStarted: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 5, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '50.00' },
};
const actionRequired: SubscriptionEvent = {
  type: 'PublisherActionRequired',
  data: { reason: 'Verify the tenant', url: 'https://fabrikam.example/fix', blockedOperations: ['cancel', 'changeSeats'], signedAt: at(2) },
};
const cycleStarted = (cycleStart: string, cycleEnd: string, quantity = 5): SubscriptionEvent => ({ type: 'BillingCycleStarted', data: { cycleStart, cycleEnd, quantity } });
const renewed = (id: string): SubscriptionEvent => ({
  type: 'SubscriptionRenewed',
  data: { operationId: id, termStart: '2027-03-02', termEnd: '2028-03-01', quantity: 9, chargedAmount: '90.00', renewedAt: at(3) },
});

/** Every kind of event, in the order a long life could bring them, and some the decider would never send. */
const SCENARIOS: Record<string, SubscriptionEvent[]> = {
  'a long life, from purchase to cancellation and beyond': [
    purchased(),
    { type: 'SubscriptionRenamed', data: { friendlyName: 'Renamed', previousFriendlyName: 'Sales CRM' } },
    { type: 'SeatsChanged', data: { quantity: 8, previousQuantity: 5, operationId: null, changedAt: at(0) } },
    { type: 'AutoRenewDisabled', data: {} },
    { type: 'AutoRenewEnabled', data: {} },
    { type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } },
    { type: 'IndirectResellerRemoved', data: { mpnId: '1234567' } },
    { type: 'IndirectResellerAssigned', data: { mpnId: '7654321', previousMpnId: null } },
    { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 8 } },
    { type: 'PublisherActivated', data: { assignedSeats: 8 } },
    billingStarted,
    seatRequest(op(1), 12, 8),
    { type: 'SeatChangeRejected', data: { operationId: op(1), quantity: 12, reason: 'no licenses', rejectedAt: at(4) } },
    seatRequest(op(2), 9, 8),
    { type: 'SeatsChanged', data: { quantity: 9, previousQuantity: 8, operationId: op(2), changedAt: at(5) } },
    { type: 'PlanChangeRequested', data: { operationId: op(3), planId: 'premium', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: at(6) } },
    { type: 'PlanChanged', data: { operationId: op(3), planId: 'premium', previousPlanId: 'standard', changedAt: at(7) } },
    { type: 'PlanChangeRequested', data: { operationId: op(4), planId: 'standard', previousPlanId: 'premium', requestedBy: 'Partner', requestedAt: at(8) } },
    { type: 'PlanChangeRejected', data: { operationId: op(4), planId: 'standard', reason: null, rejectedAt: at(9) } },
    actionRequired,
    { type: 'PublisherActionResolved', data: { signedAt: at(10) } },
    { type: 'CancellationRequested', data: { operationId: op(5), requestedBy: 'Publisher', requestedAt: at(11) } },
    { type: 'CancellationRejected', data: { operationId: op(5), reason: 'not yet', rejectedAt: at(12) } },
    renewed(op(6)),
    actionRequired,
    seatRequest(op(7), 3, 9),
    { type: 'Cancelled', data: { cancelledAt: at(13), requestedBy: 'Partner', refund: null, operationId: op(8), abandonedOperationId: op(7) } },
    actionRequired,
    billingStarted,
    renewed(op(9)),
    { type: 'SeatsChanged', data: { quantity: 2, previousQuantity: 9, operationId: null, changedAt: at(14) } },
  ],
  'pending until it expires, with a change still waiting': [
    purchased({ termDuration: 'P1M', billingCycle: 'monthly' }),
    renewed(op(1)),
    seatRequest(op(2), 7, 5),
    actionRequired,
    { type: 'SubscriptionExpired', data: { operationId: op(3), termEnd: '2026-03-31', expiredAt: at(15) } },
  ],
  'a year billed monthly, cycle by cycle, with auto-renew turned off in its last month': [
    purchased(),
    billingStarted,
    cycleStarted('2026-04-02', '2026-05-01'),
    cycleStarted('2026-04-02', '2026-05-01'),
    cycleStarted('2026-05-02', '2026-06-01'),
    cycleStarted('2026-04-02', '2026-05-01'),
    cycleStarted('2027-02-02', '2027-03-01'),
    { type: 'AutoRenewDisabled', data: {} },
    { type: 'AutoRenewEnabled', data: {} },
    { type: 'AutoRenewDisabled', data: {} },
  ],
  'a publisher cancellation accepted, a repeated operation id, and a second purchase': [
    purchased({ indirectResellerId: '1234567', autoRenewEnabled: false, billingCycle: 'annual' }),
    billingStarted,
    seatRequest(op(1), 6, 5),
    seatRequest(op(1), 6, 5),
    { type: 'SeatsChanged', data: { quantity: 6, previousQuantity: 5, operationId: op(1), changedAt: at(1) } },
    { type: 'CancellationRequested', data: { operationId: op(2), requestedBy: 'Publisher', requestedAt: at(2) } },
    { type: 'Cancelled', data: { cancelledAt: at(3), requestedBy: 'Publisher', refund: { amount: '50.00', currency: 'USD' }, operationId: op(2), abandonedOperationId: null } },
    purchased({ friendlyName: 'Bought again', quantity: 1 }),
  ],
  'changes at renewal: scheduled, cleared by a seat change, scheduled again, applied, and dropped with auto-renew': [
    purchased(),
    { type: 'NextTermScheduled', data: { planId: 'enterprise', quantity: 12, termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '300.00', scheduledAt: at(0) } },
    { type: 'SeatsChanged', data: { quantity: 6, previousQuantity: 5, operationId: null, changedAt: at(1) } },
    { type: 'NextTermScheduleCleared', data: { reason: 'SeatChange' } },
    billingStarted,
    { type: 'NextTermScheduled', data: { planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00', scheduledAt: at(2) } },
    {
      type: 'SubscriptionRenewed',
      data: {
        operationId: op(1),
        termStart: '2027-03-02',
        termEnd: '2027-04-01',
        quantity: 12,
        chargedAmount: '360.00',
        renewedAt: at(3),
        planId: 'enterprise',
        termDuration: 'P1M',
        billingCycle: 'monthly',
        unitPrice: '30.00',
      },
    },
    {
      type: 'NextTermChangeApplied',
      data: { operationId: op(2), action: 'ChangePlan', planId: 'enterprise', previousPlanId: 'standard', quantity: 12, previousQuantity: 6, appliedAt: at(3) },
    },
    {
      type: 'NextTermChangeApplied',
      data: { operationId: op(3), action: 'ChangeQuantity', planId: 'enterprise', previousPlanId: 'standard', quantity: 12, previousQuantity: 6, appliedAt: at(3) },
    },
    { type: 'NextTermScheduled', data: { planId: 'enterprise', quantity: 12, termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '300.00', scheduledAt: at(4) } },
    { type: 'AutoRenewDisabled', data: {} },
    { type: 'NextTermScheduleCleared', data: { reason: 'AutoRenewDisabled' } },
    { type: 'AutoRenewEnabled', data: {} },
    { type: 'NextTermScheduled', data: { planId: 'standard', quantity: 3, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '12.00', scheduledAt: at(5) } },
    { type: 'Cancelled', data: { cancelledAt: at(6), requestedBy: 'Partner', refund: null, operationId: op(4), abandonedOperationId: null } },
  ],
};

function recorded(events: readonly SubscriptionEvent[]): RecordedEvent[] {
  return events.map((event, revision) => ({
    id: `10000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: `subscription-${ID}`,
    revision,
    position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
    type: event.type,
    data: event.data as JsonObject,
    metadata: {},
    recordedAt: new Date('2026-04-01T00:00:00Z'),
    hash: 'h',
    previousHash: null,
  }));
}

/** The row after folding `events` through the projection, in batches of `batch`. */
function project(events: readonly RecordedEvent[], batch = events.length, rows = new Map<string, SubscriptionRow>()): SubscriptionRow | undefined {
  for (let i = 0; i < events.length; i += batch) foldBatch(subscriptionsProjection, rows, events.slice(i, i + batch));
  return rows.get(ID);
}

describe('the subscriptions list row', () => {
  describe.each(Object.entries(SCENARIOS))('%s', (_name, events) => {
    const log = recorded(events);

    it('shows, after every event, what the partner and the publisher see of the command side’s state', () => {
      let state: SubscriptionState = initialSubscriptionState();
      for (let n = 1; n <= events.length; n++) {
        state = evolveSubscription(state, events[n - 1]);
        const row = project(log.slice(0, n))!;
        const subscription = state as ExistingSubscription;
        expect({ n, partner: partnerSubscriptionRowView(row, LINK) }).toEqual({ n, partner: partnerSubscriptionView(subscription, () => LINK) });
        expect({ n, publisher: saasSubscriptionRowView(row) }).toEqual({ n, publisher: saasSubscriptionView(subscription) });
        expect(row.revision).toBe(n - 1);
      }
    });

    it('is the same replayed twice, or folded in any batch size', () => {
      const rows = new Map<string, SubscriptionRow>();
      const once = project(log, log.length, rows);
      expect(foldBatch(subscriptionsProjection, rows, log)).toEqual([]);
      expect(project(log, log.length, rows)).toEqual(once);
      for (const batch of [1, 2, 5]) expect(project(log, batch)).toEqual(once);
    });
  });

  it('shows the changes scheduled at renewal, then the term they made, and none once used up or dropped', () => {
    const events = SCENARIOS['changes at renewal: scheduled, cleared by a seat change, scheduled again, applied, and dropped with auto-renew'];
    const view = (n: number) => partnerSubscriptionRowView(project(recorded(events.slice(0, n)))!);
    expect(view(2).scheduledNextTermInstructions).toEqual({ planId: 'enterprise', quantity: 12, termDuration: 'P1Y', billingCycle: 'annual' });
    expect(view(4).scheduledNextTermInstructions).toBeNull();
    expect(view(7)).toMatchObject({ planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly', commitmentEndDate: '2027-04-01', scheduledNextTermInstructions: null });
    expect(saasSubscriptionRowView(project(recorded(events.slice(0, 7)))!)).toMatchObject({ planId: 'enterprise', quantity: 12, term: { termUnit: 'P1M', chargeDuration: 'P1M' } });
    expect(view(10).scheduledNextTermInstructions).toEqual({ planId: 'enterprise', quantity: 12, termDuration: 'P1Y', billingCycle: 'monthly' });
    expect(view(12).scheduledNextTermInstructions).toBeNull();
    expect(view(events.length)).toMatchObject({ status: 'deleted', scheduledNextTermInstructions: null });
  });

  it('ignores what it does not handle, and everything before the purchase', () => {
    const [purchase, ...rest] = recorded(SCENARIOS['a long life, from purchase to cancellation and beyond']);
    const other: RecordedEvent = { ...purchase, streamId: `customer-${ID}`, type: 'CustomerCreated', data: {} };
    expect(subscriptionsProjection.canHandle(other)).toBe(false);
    expect(project([other])).toBeUndefined();
    expect(project(rest.slice(0, 5))).toBeUndefined();
    expect(project([purchase])).toMatchObject({ key: ID, status: 'pending', pendingOperations: [] });
  });
});

describe('what the partner sees of the next charge and of the term’s charges', () => {
  /** The subscription's events, each charge the charger records for them right after its cause, on an invoice stream of its own revisions. */
  function withCharges(events: readonly SubscriptionEvent[], occurredAt: readonly string[]): RecordedEvent[] {
    const own = recorded(events).map((event, i) => ({ ...event, metadata: { occurredAt: occurredAt[i] } }));
    const lines = rate(own.map((event) => ({ ...(event as unknown as SubscriptionEvent), id: event.id, occurredAt: String(event.metadata.occurredAt) })));
    const log: RecordedEvent[] = [];
    let invoiceRevision = 0;
    for (const event of own) {
      log.push(event);
      for (const line of lines.filter((l) => l.referenceId === event.id)) {
        log.push({
          ...event,
          id: `20000000-0000-4000-8000-${String(invoiceRevision).padStart(12, '0')}`,
          streamId: 'invoice-contoso-2026-03-USD',
          revision: invoiceRevision++,
          type: 'ChargeRecorded',
          data: invoiceLine({ ...line }) as unknown as JsonObject,
        });
      }
    }
    return log.map((event, i) => ({ ...event, position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) } }));
  }

  const days = (n: number) => `2026-03-${String(n).padStart(2, '0')}T09:00:00.000Z`;
  const view = (log: readonly RecordedEvent[]) => partnerSubscriptionRowView(project(log)!);

  it('is no charge date and nothing charged while pending', () => {
    expect(view(recorded([purchased()]))).toMatchObject({ nextChargeDate: null, currentTermCharged: '0.00' });
  });

  it('falls on each next cycle of a year billed monthly, then on the renewal day, and on none once auto-renew is off in the last cycle', () => {
    const [purchase, started, april, , may, , february, off] = SCENARIOS['a year billed monthly, cycle by cycle, with auto-renew turned off in its last month'];
    expect(view(recorded([purchase, started]))).toMatchObject({ nextChargeDate: '2026-04-02' });
    expect(view(recorded([purchase, started, april]))).toMatchObject({ nextChargeDate: '2026-05-02' });
    expect(view(recorded([purchase, started, april, may, april]))).toMatchObject({ nextChargeDate: '2026-06-02' });
    expect(view(recorded([purchase, started, february]))).toMatchObject({ nextChargeDate: '2027-03-02' });
    expect(view(recorded([purchase, started, february, off]))).toMatchObject({ nextChargeDate: null });
    expect(view(recorded([purchase, started, off]))).toMatchObject({ nextChargeDate: '2026-04-02' });
  });

  it('falls on the renewal day of a term billed in one cycle while auto-renew is on, and on none once deleted', () => {
    const monthly = purchased({ termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '12.00' });
    const started: SubscriptionEvent = {
      type: 'BillingStarted',
      data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 5, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '60.00' },
    };
    const cancelled: SubscriptionEvent = {
      type: 'Cancelled',
      data: { cancelledAt: at(1), requestedBy: 'Partner', refund: null, operationId: op(1), abandonedOperationId: null },
    };
    expect(view(recorded([monthly, started]))).toMatchObject({ nextChargeDate: '2026-04-02' });
    expect(view(recorded([monthly, started, { type: 'AutoRenewDisabled', data: {} }]))).toMatchObject({ nextChargeDate: null });
    const renewal: SubscriptionEvent = {
      type: 'SubscriptionRenewed',
      data: { operationId: op(2), termStart: '2026-04-02', termEnd: '2026-05-01', quantity: 5, chargedAmount: '60.00', renewedAt: at(2) },
    };
    expect(view(recorded([monthly, started, renewal]))).toMatchObject({ nextChargeDate: '2026-05-02' });
    expect(view(recorded([monthly, started, cancelled]))).toMatchObject({ nextChargeDate: null, status: 'deleted' });
  });

  const year: SubscriptionEvent[] = [
    purchased(),
    billingStarted,
    { type: 'SeatsChanged', data: { quantity: 8, previousQuantity: 5, operationId: null, changedAt: days(17) } },
    cycleStarted('2026-04-02', '2026-05-01', 8),
  ];
  const yearAt = [days(1), days(2), days(17), '2026-04-02T00:00:00.000Z'];

  it('sums the charges recorded for the current term, and leaves the row’s own revision alone', () => {
    const log = withCharges(year, yearAt);
    expect(log.map((event) => event.type)).toEqual([
      'SubscriptionPurchased',
      'BillingStarted',
      'ChargeRecorded',
      'SeatsChanged',
      'ChargeRecorded',
      'BillingCycleStarted',
      'ChargeRecorded',
    ]);
    const upTo = (type: number) => view(log.slice(0, type));
    expect(upTo(2)).toMatchObject({ currentTermCharged: '0.00' });
    // 5 seats × 120.00 / 12; 3 seats × 10.00 × 16 / 31 days (10.00 × 16 / 31 = 5.16); 8 seats × 10.00.
    expect(upTo(3)).toMatchObject({ currentTermCharged: '50.00' });
    expect(upTo(5)).toMatchObject({ currentTermCharged: '65.48' });
    expect(upTo(7)).toMatchObject({ currentTermCharged: '145.48', nextChargeDate: '2026-05-02' });
    expect(project(log)!.revision).toBe(3);
  });

  it('is the same replayed twice, or folded in any batch size: a line seen again is not counted again', () => {
    const log = withCharges(year, yearAt);
    const rows = new Map<string, SubscriptionRow>();
    const once = project(log, log.length, rows);
    expect(project(log, log.length, rows)).toEqual(once);
    expect(project([...log, ...log.filter((event) => event.type === 'ChargeRecorded')], log.length)).toEqual(once);
    for (const batch of [1, 2, 3]) expect(project(log, batch)).toEqual(once);
  });

  it('starts again with a renewed term, leaves out a late line of the term before, and is nothing after a refunding cancellation', () => {
    const renewal: SubscriptionEvent = {
      type: 'SubscriptionRenewed',
      data: { operationId: op(1), termStart: '2027-03-02', termEnd: '2028-03-01', quantity: 8, chargedAmount: '80.00', renewedAt: at(3) },
    };
    const renewedLog = withCharges([...year, renewal], [...yearAt, '2027-03-02T00:00:00.000Z']);
    expect(view(renewedLog)).toMatchObject({ currentTermCharged: '80.00', commitmentEndDate: '2028-03-01' });
    const late = renewedLog.find((event) => event.type === 'ChargeRecorded' && (event.data as { chargeType: string }).chargeType === 'addQuantity')!;
    const again = { ...late, data: { ...late.data, id: `${String(late.data.referenceId)}/charge/9` } };
    expect(view([...renewedLog, { ...again, position: { commit: 99n, prepare: 99n } }])).toMatchObject({ currentTermCharged: '80.00' });

    const cancelled: SubscriptionEvent = {
      type: 'Cancelled',
      data: { cancelledAt: days(3), requestedBy: 'Partner', refund: { amount: '50.00', currency: 'USD' }, operationId: op(2), abandonedOperationId: null },
    };
    const cancelledLog = withCharges([purchased(), billingStarted, cancelled], [days(1), days(2), days(3)]);
    expect(cancelledLog.filter((event) => event.type === 'ChargeRecorded')).toHaveLength(2);
    expect(view(cancelledLog)).toMatchObject({ status: 'deleted', currentTermCharged: '0.00', nextChargeDate: null });
  });

  it('ignores a charge for a subscription it has no row of', () => {
    const charges = withCharges([purchased(), billingStarted], [days(1), days(2)]).filter((event) => event.type === 'ChargeRecorded');
    expect(charges).toHaveLength(1);
    expect(project(charges)).toBeUndefined();
  });
});
