import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import type * as E from './subscription.events';
import type { SubscriptionEvent } from './subscription.events';

/** SPEC §13 "Changes at renewal": scheduledNextTermInstructions, checked when scheduled, applied at the renewal. */
const spec = DeciderSpecification.for(subscriptionDecider);

// 10 seats of standard, P1M billed monthly at 12.00; billed from 2025-03-11, the term ends 2025-04-10.
const NOW = '2025-03-20T12:00:00.000Z';
const TERM_END = '2025-04-10';
const DUE = '2025-04-11T00:00:00.000Z';
const RENEW_OP = 'op-renew';
const PLAN_OP = 'op-renewal-plan';
const SEATS_OP = 'op-renewal-seats';

const STANDARD: C.CatalogPlan = {
  id: 'standard',
  minQuantity: 1,
  maxQuantity: 500,
  isPrivate: false,
  isPricePerSeat: true,
  prices: [
    { termDuration: 'P1M', unitPrice: '12.00', currency: 'USD' },
    { termDuration: 'P1Y', unitPrice: '120.00', currency: 'USD' },
  ],
};
const ENTERPRISE: C.CatalogPlan = {
  ...STANDARD,
  id: 'enterprise',
  minQuantity: 10,
  maxQuantity: 10_000,
  prices: [
    { termDuration: 'P1M', unitPrice: '30.00', currency: 'USD' },
    { termDuration: 'P1Y', unitPrice: '300.00', currency: 'USD' },
  ],
};
const HIDDEN: C.CatalogPlan = { ...STANDARD, id: 'hidden', isPrivate: true };
/** Sold only by the month. */
const MONTHLY_ONLY: C.CatalogPlan = { ...STANDARD, id: 'monthly-only', prices: [{ termDuration: 'P1M', unitPrice: '15.00', currency: 'USD' }] };
const PLANS = [STANDARD, ENTERPRISE, HIDDEN, MONTHLY_ONLY];
const TERMS: C.OfferTerm[] = [
  { termDuration: 'P1M', billingCycles: ['monthly'] },
  { termDuration: 'P1Y', billingCycles: ['monthly', 'annual'] },
];

// --- events -----------------------------------------------------------------------------------

const purchased = (quantity = 10): E.SubscriptionPurchased => subscriptionPurchased({ quantity });
const billingStarted = (quantity = 10): E.BillingStarted => ({
  type: 'BillingStarted',
  data: { termStart: '2025-03-11', termEnd: TERM_END, quantity, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: `${quantity * 12}.00` },
});
const active = (quantity = 10): SubscriptionEvent[] => [
  purchased(quantity),
  { type: 'PublisherActivated', data: { assignedSeats: quantity } },
  { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity } },
  billingStarted(quantity),
];
const scheduled = (overrides: Partial<E.NextTermScheduled['data']> = {}): E.NextTermScheduled => ({
  type: 'NextTermScheduled',
  data: { planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00', scheduledAt: NOW, ...overrides },
});
const cleared = (reason: E.NextTermClearReason): E.NextTermScheduleCleared => ({ type: 'NextTermScheduleCleared', data: { reason } });
const autoRenewDisabled: E.AutoRenewDisabled = { type: 'AutoRenewDisabled', data: {} };
const seatChangeRequested: E.SeatChangeRequested = {
  type: 'SeatChangeRequested',
  data: { operationId: 'op-seats', quantity: 15, previousQuantity: 10, requestedBy: 'Partner', requestedAt: NOW },
};
const suspended: E.SubscriptionSuspended = {
  type: 'SubscriptionSuspended',
  data: {
    operationId: 'op-suspend',
    reasons: ['nonpayment'],
    requestedBy: 'Partner',
    suspendedAt: NOW,
    graceEndsAt: '2025-04-19T12:00:00.000Z',
    abandonedOperationId: null,
  },
};

// --- commands ---------------------------------------------------------------------------------

const schedule = (instructions: C.NextTermInstructions, plans: readonly C.CatalogPlan[] = PLANS): C.ScheduleNextTerm => ({
  type: 'ScheduleNextTerm',
  data: { instructions, plans, terms: TERMS, now: NOW },
});
const clear: C.ClearNextTerm = { type: 'ClearNextTerm', data: {} };
/** `ids` null: a caller that names no change operations. */
const renew = (termEnd = TERM_END, now = DUE, ids: { changePlan: string; changeQuantity: string } | null = { changePlan: PLAN_OP, changeQuantity: SEATS_OP }): C.RenewSubscription => ({
  type: 'RenewSubscription',
  data: { operationId: RENEW_OP, now, termEnd, ...(ids ? { changeOperationIds: ids } : {}) },
});
const changeSeats = (quantity: number): C.ChangeSeats => ({
  type: 'ChangeSeats',
  data: { quantity, limits: { minQuantity: 1, maxQuantity: 500 }, operationId: 'op-seats', requestedBy: 'Partner', now: NOW },
});

// --- histories --------------------------------------------------------------------------------

const PENDING: SubscriptionEvent[] = [purchased()];
const ACTIVE = active();
const SCHEDULED: SubscriptionEvent[] = [...ACTIVE, scheduled()];

describe('scheduling changes at renewal', () => {
  it('records the instructions, fully resolved, with the new plan’s price for the term locked now', () => {
    spec.given(ACTIVE).when(schedule({ planId: 'enterprise', quantity: 12 })).then([scheduled()]);
  });

  it('fills in what the instructions leave out with the current plan, seats, term and billing', () => {
    spec
      .given(ACTIVE)
      .when(schedule({ quantity: 25 }))
      .then([scheduled({ planId: 'standard', quantity: 25, unitPrice: '12.00' })]);
  });

  it('prices a new term length and billing cycle from the catalog: a month becomes a year billed annually', () => {
    spec
      .given(ACTIVE)
      .when(schedule({ termDuration: 'P1Y', billingCycle: 'annual' }))
      .then([scheduled({ planId: 'standard', quantity: 10, termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '120.00' })]);
  });

  it('is allowed before billing starts, while the subscription is pending', () => {
    spec.given(PENDING).when(schedule({ planId: 'enterprise', quantity: 12 })).then([scheduled()]);
  });

  it('changes nothing when the same instructions come again, however they are sent, and keeps the price it locked', () => {
    const cheaper: C.CatalogPlan = { ...ENTERPRISE, prices: [{ termDuration: 'P1M', unitPrice: '25.00', currency: 'USD' }] };
    spec.given(SCHEDULED).when(schedule({ planId: 'enterprise', quantity: 12 })).thenNothing();
    spec
      .given(SCHEDULED)
      .when(schedule({ quantity: 12, planId: 'enterprise', termDuration: 'P1M', billingCycle: 'monthly' }, [STANDARD, cheaper]))
      .thenNothing();
  });

  it('replaces instructions scheduled before with different ones', () => {
    spec
      .given(SCHEDULED)
      .when(schedule({ quantity: 20 }))
      .then([scheduled({ planId: 'standard', quantity: 20, unitPrice: '12.00' })]);
  });

  it('folds into the state, and is dropped when the subscription ends', () => {
    expect(spec.given(SCHEDULED).state()).toMatchObject({ scheduledNextTerm: scheduled().data });
    const cancelled: E.Cancelled = {
      type: 'Cancelled',
      data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: 'op-cancel', abandonedOperationId: null },
    };
    expect(spec.given([...SCHEDULED, cancelled]).state()).toMatchObject({ status: 'deleted', scheduledNextTerm: null });
  });
});

describe('refusing instructions', () => {
  it('needs auto-renew on', () => {
    spec.given([...ACTIVE, autoRenewDisabled]).when(schedule({ quantity: 12 })).thenThrows('next-term-needs-auto-renew', 'rule');
  });

  it('refuses a suspended subscription and a deleted one', () => {
    spec.given([...ACTIVE, suspended]).when(schedule({ quantity: 12 })).thenThrows('subscription-suspended', 'rule');
    const expired: E.SubscriptionExpired = { type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: DUE } };
    spec.given([...ACTIVE, expired]).when(schedule({ quantity: 12 })).thenThrows('subscription-deleted', 'rule');
  });

  it('refuses empty instructions, pointing at them', () => {
    const error = spec.given(ACTIVE).when(schedule({})).thenThrows('empty-next-term-instructions', 'validation');
    expect(error.extensions.pointer).toBe('/scheduledNextTermInstructions');
  });

  it.each([
    ['a plan the offer does not have', { planId: 'premium' }, 'plan-not-available', 'planId'],
    ['a private plan', { planId: 'hidden' }, 'plan-not-available', 'planId'],
    ['seats beyond the plan’s limits', { quantity: 501 }, 'quantity-out-of-range', 'quantity'],
    ['a plan whose limits the current seats do not fit', { planId: 'enterprise', quantity: 9 }, 'quantity-out-of-range', 'quantity'],
    ['a term the offer does not sell', { termDuration: 'P2Y' as const }, 'unavailable-term', 'termDuration'],
    ['a term the plan has no price for', { planId: 'monthly-only', termDuration: 'P1Y' as const }, 'unavailable-term', 'termDuration'],
    ['a month billed annually', { billingCycle: 'annual' as const }, 'invalid-billing-cycle', 'billingCycle'],
    ['a year billed in a way the offer does not sell', { termDuration: 'P1Y' as const, billingCycle: 'upfront' as const }, 'unavailable-billing-cycle', 'billingCycle'],
  ])('refuses %s as a 400 naming the member', (_case, instructions: C.NextTermInstructions, code, member) => {
    const error = spec.given(ACTIVE).when(schedule(instructions)).thenThrows(code, 'validation');
    expect({ field: error.field, pointer: error.extensions.pointer }).toEqual({ field: member, pointer: `/scheduledNextTermInstructions/${member}` });
  });

  it('refuses the current seats on a plan they do not fit when the instructions leave them out', () => {
    spec.given(active(5)).when(schedule({ planId: 'enterprise' })).thenThrows('quantity-out-of-range', 'validation');
  });

  it('refuses while a change waits for the publisher', () => {
    spec.given([...ACTIVE, seatChangeRequested]).when(schedule({ quantity: 12 })).thenThrows('operation-pending', 'rule');
  });

  it('refuses instructions on a plan the catalog no longer has, when they keep that plan', () => {
    spec.given(ACTIVE).when(schedule({ quantity: 12 }, [ENTERPRISE])).thenThrows('plan-withdrawn', 'rule');
  });
});

describe('clearing instructions', () => {
  it('clears them on the partner’s null, and does nothing when none are scheduled', () => {
    spec.given(SCHEDULED).when(clear).then([cleared('Requested')]);
    spec.given(ACTIVE).when(clear).thenNothing();
    spec.given([...SCHEDULED, cleared('Requested')]).when(clear).thenNothing();
  });

  it('clears them when auto-renew is turned off, in the same decision', () => {
    spec.given(SCHEDULED).when({ type: 'DisableAutoRenew', data: {} }).then([autoRenewDisabled, cleared('AutoRenewDisabled')]);
  });

  it('clears them with a partner seat change mid-term', () => {
    spec.given(SCHEDULED).when(changeSeats(15)).then([seatChangeRequested, cleared('SeatChange')]);
  });

  it('clears them with a seat change before billing starts', () => {
    spec
      .given([...PENDING, scheduled()])
      .when(changeSeats(15))
      .then([{ type: 'SeatsChanged', data: { quantity: 15, previousQuantity: 10, operationId: null, changedAt: NOW } }, cleared('SeatChange')]);
  });

  it('clears them with the publisher’s plan change', () => {
    spec
      .given(SCHEDULED)
      .when({ type: 'ChangePlan', data: { planId: 'enterprise', plan: ENTERPRISE, operationId: 'op-plan', requestedBy: 'Publisher', now: NOW } })
      .then([
        {
          type: 'PlanChangeRequested',
          data: { operationId: 'op-plan', planId: 'enterprise', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: NOW, unitPrice: '30.00' },
        },
        cleared('PlanChange'),
      ]);
  });

  it('clears them with the publisher’s seat change', () => {
    spec
      .given(SCHEDULED)
      .when({ type: 'ChangeSubscription', data: { planId: null, quantity: 15, plans: PLANS, operationId: 'op-seats', requestedBy: 'Publisher', now: NOW } })
      .then([{ ...seatChangeRequested, data: { ...seatChangeRequested.data, requestedBy: 'Publisher' } }, cleared('SeatChange')]);
  });

  it('leaves nothing to clear: a change without instructions scheduled appends only itself', () => {
    spec.given(ACTIVE).when(changeSeats(15)).then([seatChangeRequested]);
    spec.given(ACTIVE).when({ type: 'DisableAutoRenew', data: {} }).then([autoRenewDisabled]);
  });
});

describe('applying instructions at the renewal', () => {
  it('renews on the scheduled plan and seats at the locked price, and records each change as a succeeded operation of the system', () => {
    const change = { planId: 'enterprise', previousPlanId: 'standard', quantity: 12, previousQuantity: 10, appliedAt: DUE };
    spec
      .given(SCHEDULED)
      .when(renew())
      .then([
        {
          type: 'SubscriptionRenewed',
          data: {
            operationId: RENEW_OP,
            termStart: '2025-04-11',
            termEnd: '2025-05-10',
            quantity: 12,
            chargedAmount: '360.00',
            renewedAt: DUE,
            planId: 'enterprise',
            termDuration: 'P1M',
            billingCycle: 'monthly',
            unitPrice: '30.00',
          },
        },
        { type: 'NextTermChangeApplied', data: { operationId: PLAN_OP, action: 'ChangePlan', ...change } },
        { type: 'NextTermChangeApplied', data: { operationId: SEATS_OP, action: 'ChangeQuantity', ...change } },
      ]);
  });

  it('leaves the subscription on the new term, with the instructions used up and the operations done', () => {
    const renewed = subscriptionDecider.decide(renew(), spec.given(SCHEDULED).state());
    const state = spec.given([...SCHEDULED, ...renewed]).state();
    expect(state).toMatchObject({
      planId: 'enterprise',
      quantity: 12,
      termDuration: 'P1M',
      billingCycle: 'monthly',
      unitPrice: '30.00',
      scheduledNextTerm: null,
      billing: { termStart: '2025-04-11', termEnd: '2025-05-10', quantity: 12, unitPrice: '30.00', chargedAmount: '360.00', cycleStart: '2025-04-11' },
    });
    expect(state.status !== 'none' && state.operations.map(({ id, action, status, requestedBy, planId, quantity }) => ({ id, action, status, requestedBy, planId, quantity }))).toEqual([
      { id: RENEW_OP, action: 'Renew', status: 'Succeeded', requestedBy: 'System', planId: 'enterprise', quantity: 12 },
      { id: PLAN_OP, action: 'ChangePlan', status: 'Succeeded', requestedBy: 'System', planId: 'enterprise', quantity: 12 },
      { id: SEATS_OP, action: 'ChangeQuantity', status: 'Succeeded', requestedBy: 'System', planId: 'enterprise', quantity: 12 },
    ]);
    // The term after renews as it now is: nothing is scheduled for it.
    spec
      .given([...SCHEDULED, ...renewed])
      .when(renew('2025-05-10', '2025-05-11T00:00:00.000Z'))
      .then([
        {
          type: 'SubscriptionRenewed',
          data: { operationId: RENEW_OP, termStart: '2025-05-11', termEnd: '2025-06-10', quantity: 12, chargedAmount: '360.00', renewedAt: '2025-05-11T00:00:00.000Z' },
        },
      ]);
  });

  it('renews a month as a year billed annually, charging the whole year’s price, with no plan or seat operation', () => {
    spec
      .given([...ACTIVE, scheduled({ planId: 'standard', quantity: 10, termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '120.00' })])
      .when(renew())
      .then([
        {
          type: 'SubscriptionRenewed',
          data: {
            operationId: RENEW_OP,
            termStart: '2025-04-11',
            termEnd: '2026-04-10',
            quantity: 10,
            chargedAmount: '1200.00',
            renewedAt: DUE,
            planId: 'standard',
            termDuration: 'P1Y',
            billingCycle: 'annual',
            unitPrice: '120.00',
          },
        },
      ]);
  });

  it('renews a month as a year billed monthly: the first cycle is a twelfth of the year', () => {
    const given = spec.given([...ACTIVE, scheduled({ planId: 'standard', quantity: 10, termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00' })]);
    const [renewed] = subscriptionDecider.decide(renew(), given.state());
    expect(renewed.data).toMatchObject({ termEnd: '2026-04-10', chargedAmount: '100.00', billingCycle: 'monthly' });
    expect(spec.given([...ACTIVE, scheduled({ termDuration: 'P1Y', unitPrice: '120.00' }), renewed]).state()).toMatchObject({
      billing: { cycleStart: '2025-04-11', cycleEnd: '2025-05-10' },
    });
  });

  it('ends the subscription instead when auto-renew was turned off after scheduling', () => {
    spec
      .given([...SCHEDULED, autoRenewDisabled, cleared('AutoRenewDisabled')])
      .when(renew())
      .then([{ type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: DUE } }]);
  });

  it('applies nothing to a term that already renewed; the instructions wait for the renewal of the term they were scheduled in', () => {
    const plainRenewal: E.SubscriptionRenewed = {
      type: 'SubscriptionRenewed',
      data: { operationId: 'op-first', termStart: '2025-04-11', termEnd: '2025-05-10', quantity: 10, chargedAmount: '120.00', renewedAt: DUE },
    };
    const history = [...ACTIVE, plainRenewal, scheduled({ scheduledAt: '2025-04-20T12:00:00.000Z' })];
    spec.given(history).when(renew()).thenNothing();
    const [renewed] = subscriptionDecider.decide(renew('2025-05-10', '2025-05-11T00:00:00.000Z'), spec.given(history).state());
    expect(renewed.data).toMatchObject({ termStart: '2025-05-11', planId: 'enterprise', quantity: 12, chargedAmount: '360.00' });
  });

  it('keeps the instructions while a suspended subscription waits at its term end', () => {
    spec.given([...SCHEDULED, suspended]).when(renew()).thenNothing();
    expect(spec.given([...SCHEDULED, suspended]).state()).toMatchObject({ scheduledNextTerm: scheduled().data });
  });

  it('without operation ids to record them by, renews on the new term and records no change operation', () => {
    const events = subscriptionDecider.decide(renew(TERM_END, DUE, null), spec.given(SCHEDULED).state());
    expect(events.map((event) => event.type)).toEqual(['SubscriptionRenewed']);
  });
});
