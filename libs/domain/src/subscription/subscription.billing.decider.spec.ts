import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import type * as E from './subscription.events';
import type { SubscriptionEvent } from './subscription.events';
import { nextBillingCycleDue, nextBillingCycleDueOf } from './subscription.timers';

/** The decider's side of billing: monthly cycles of a year billed monthly, and the price a plan change records. */
const spec = DeciderSpecification.for(subscriptionDecider);

const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
const WINDOW_CLOSES = '2025-03-24T09:00:00.000Z';
const NOW = '2025-03-12T08:00:00.000Z';
const LATER = '2025-03-20T12:00:00.000Z';
const OP = 'op-plan';

const purchased = (overrides: Partial<E.SubscriptionPurchasedData> = {}): E.SubscriptionPurchased =>
  subscriptionPurchased({ termDuration: 'P1Y', unitPrice: '144.00', purchasedAt: PURCHASED_AT, cancellationAllowedUntil: WINDOW_CLOSES, ...overrides });
const billingStarted = (overrides: Partial<E.BillingStarted['data']> = {}): E.BillingStarted => ({
  type: 'BillingStarted',
  data: {
    termStart: '2025-03-11',
    termEnd: '2026-03-10',
    quantity: 10,
    unitPrice: '144.00',
    currency: 'USD',
    billingCycle: 'monthly',
    chargedAmount: '120.00',
    ...overrides,
  },
});
const started = (purchase: Partial<E.SubscriptionPurchasedData> = {}, billing: Partial<E.BillingStarted['data']> = {}): SubscriptionEvent[] => [
  purchased(purchase),
  { type: 'PublisherActivated', data: { assignedSeats: 10 } },
  { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 10 } },
  billingStarted(billing),
];
const cycleStarted = (cycleStart: string, cycleEnd: string, quantity = 10): E.BillingCycleStarted => ({
  type: 'BillingCycleStarted',
  data: { cycleStart, cycleEnd, quantity },
});
const startCycle = (cycleStart: string, now = `${cycleStart}T00:00:00.000Z`): C.StartBillingCycle => ({
  type: 'StartBillingCycle',
  data: { cycleStart, now },
});

const YEAR_BILLED_MONTHLY = started();

describe('StartBillingCycle (a year billed monthly)', () => {
  it('starts the second month of the term when it is due', () => {
    spec.given(YEAR_BILLED_MONTHLY).when(startCycle('2025-04-11')).then([cycleStarted('2025-04-11', '2025-05-10')]);
  });

  it('appends nothing for a cycle already started (a resent or redelivered job)', () => {
    spec.given([...YEAR_BILLED_MONTHLY, cycleStarted('2025-04-11', '2025-05-10')]).when(startCycle('2025-04-11')).thenNothing();
  });

  it('appends nothing for the first cycle: BillingStarted charged it', () => {
    spec.given(YEAR_BILLED_MONTHLY).when(startCycle('2025-03-11')).thenNothing();
  });

  it('appends nothing before the cycle is due', () => {
    spec.given(YEAR_BILLED_MONTHLY).when(startCycle('2025-04-11', '2025-04-10T23:59:59.999Z')).thenNothing();
  });

  it('catches up, in order, a cycle whose job never ran', () => {
    spec
      .given(YEAR_BILLED_MONTHLY)
      .when(startCycle('2025-05-11'))
      .then([cycleStarted('2025-04-11', '2025-05-10'), cycleStarted('2025-05-11', '2025-06-10')]);
  });

  it('starts only the cycles due by now, even when asked for a later one', () => {
    spec.given(YEAR_BILLED_MONTHLY).when(startCycle('2025-06-11', '2025-04-15T00:00:00.000Z')).then([cycleStarted('2025-04-11', '2025-05-10')]);
  });

  it('never goes past the term: the renewal bills the next one', () => {
    const elevenLaterMonths: [string, string][] = [
      ['2025-04-11', '2025-05-10'],
      ['2025-05-11', '2025-06-10'],
      ['2025-06-11', '2025-07-10'],
      ['2025-07-11', '2025-08-10'],
      ['2025-08-11', '2025-09-10'],
      ['2025-09-11', '2025-10-10'],
      ['2025-10-11', '2025-11-10'],
      ['2025-11-11', '2025-12-10'],
      ['2025-12-11', '2026-01-10'],
      ['2026-01-11', '2026-02-10'],
      ['2026-02-11', '2026-03-10'],
    ];
    spec
      .given(YEAR_BILLED_MONTHLY)
      .when(startCycle('2026-03-11'))
      .then(elevenLaterMonths.map(([start, end]) => cycleStarted(start, end)));
    spec.given([...YEAR_BILLED_MONTHLY, cycleStarted('2026-02-11', '2026-03-10')]).when(startCycle('2026-03-11')).thenNothing();
  });

  it('charges the seats as they stand when the cycle starts', () => {
    const seatsChanged: E.SeatsChanged = { type: 'SeatsChanged', data: { quantity: 7, previousQuantity: 10, operationId: 'op-s', changedAt: LATER } };
    spec.given([...YEAR_BILLED_MONTHLY, seatsChanged]).when(startCycle('2025-04-11')).then([cycleStarted('2025-04-11', '2025-05-10', 7)]);
  });

  it('keeps a term that starts on the 31st on the month end, not on the 28th', () => {
    spec
      .given(started({}, { termStart: '2025-01-31', termEnd: '2026-01-30' }))
      .when(startCycle('2025-03-31'))
      .then([cycleStarted('2025-02-28', '2025-03-30'), cycleStarted('2025-03-31', '2025-04-29')]);
  });

  it('runs through a leap day', () => {
    spec
      .given(started({}, { termStart: '2028-01-31', termEnd: '2029-01-30' }))
      .when(startCycle('2028-02-29'))
      .then([cycleStarted('2028-02-29', '2028-03-30')]);
  });

  it('starts the cycles of the renewed term, and none of the old one', () => {
    const renewed: E.SubscriptionRenewed = {
      type: 'SubscriptionRenewed',
      data: { operationId: 'op-r', termStart: '2026-03-11', termEnd: '2027-03-10', quantity: 10, chargedAmount: '120.00', renewedAt: '2026-03-11T00:00:00.000Z' },
    };
    const history = [...YEAR_BILLED_MONTHLY, renewed];
    spec.given(history).when(startCycle('2026-02-11', '2026-03-11T00:00:01.000Z')).thenNothing();
    spec.given(history).when(startCycle('2026-04-11')).then([cycleStarted('2026-04-11', '2026-05-10')]);
  });

  it.each<[string, SubscriptionEvent[]]>([
    ['a month billed monthly', started({ termDuration: 'P1M' }, { termEnd: '2025-04-10', unitPrice: '12.00' })],
    ['a year billed annually', started({ billingCycle: 'annual' }, { billingCycle: 'annual', chargedAmount: '1440.00' })],
  ])('has no later cycle for %s', (_case, history) => {
    spec.given(history).when(startCycle('2025-04-11')).thenNothing();
  });

  it.each<[string, SubscriptionEvent[]]>([
    ['no subscription', []],
    ['billing not started', [purchased()]],
    [
      'a cancelled subscription',
      [
        ...YEAR_BILLED_MONTHLY,
        { type: 'Cancelled', data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: 'op-c', abandonedOperationId: null } },
      ],
    ],
    ['an expired subscription', [...YEAR_BILLED_MONTHLY, { type: 'SubscriptionExpired', data: { operationId: 'op-e', termEnd: '2026-03-10', expiredAt: '2026-03-11T00:00:00.000Z' } }]],
  ])('appends nothing for %s: only an active subscription is billed', (_case, history) => {
    spec.given(history).when(startCycle('2025-04-11')).thenNothing();
  });

  it('records the cycle being billed on the state', () => {
    expect(spec.given(YEAR_BILLED_MONTHLY).state()).toMatchObject({ billing: { cycleStart: '2025-03-11', cycleEnd: '2025-04-10' } });
    expect(spec.given([...YEAR_BILLED_MONTHLY, cycleStarted('2025-04-11', '2025-05-10')]).state()).toMatchObject({
      billing: { cycleStart: '2025-04-11', cycleEnd: '2025-05-10', chargedAmount: '120.00' },
    });
  });
});

describe('when the next billing cycle is due', () => {
  const term = { termStart: '2025-03-11', termEnd: '2026-03-10', billingCycle: 'monthly' } as const;

  it('is the start of the next cycle’s first UTC day', () => {
    expect(nextBillingCycleDue(term, '2025-03-11')).toEqual({ cycleStart: '2025-04-11', cycleEnd: '2025-05-10', dueAt: '2025-04-11T00:00:00.000Z' });
    expect(nextBillingCycleDue(term, '2026-01-11')).toEqual({ cycleStart: '2026-02-11', cycleEnd: '2026-03-10', dueAt: '2026-02-11T00:00:00.000Z' });
  });

  it('is never after the last cycle of the term, nor for a term billed in one cycle', () => {
    expect(nextBillingCycleDue(term, '2026-02-11')).toBeNull();
    expect(nextBillingCycleDue({ ...term, billingCycle: 'annual' }, '2025-03-11')).toBeNull();
    expect(nextBillingCycleDue({ termStart: '2025-03-11', termEnd: '2025-04-10', billingCycle: 'monthly' }, '2025-03-11')).toBeNull();
  });

  it('follows the state: the cycle after the one being billed, none once billing stopped', () => {
    expect(nextBillingCycleDueOf(spec.given(YEAR_BILLED_MONTHLY).state())?.dueAt).toBe('2025-04-11T00:00:00.000Z');
    expect(nextBillingCycleDueOf(spec.given([...YEAR_BILLED_MONTHLY, cycleStarted('2025-04-11', '2025-05-10')]).state())?.dueAt).toBe(
      '2025-05-11T00:00:00.000Z',
    );
    expect(nextBillingCycleDueOf(spec.given([purchased()]).state())).toBeNull();
  });
});

describe('the price a plan change records', () => {
  const price = (termDuration: 'P1M' | 'P1Y', unitPrice: string, currency = 'USD'): C.PlanPrice => ({ termDuration, unitPrice, currency });
  const PREMIUM: C.CatalogPlan = {
    id: 'premium',
    minQuantity: 1,
    maxQuantity: 500,
    isPrivate: false,
    isPricePerSeat: true,
    prices: [price('P1M', '20.00'), price('P1Y', '240.00')],
  };
  const STANDARD: C.CatalogPlan = { ...PREMIUM, id: 'standard', prices: [price('P1M', '12.00'), price('P1Y', '144.00')] };
  const changePlan = (plan: C.CatalogPlan | null, planId = 'premium'): C.ChangePlan => ({
    type: 'ChangePlan',
    data: { planId, plan, operationId: OP, requestedBy: 'Publisher', now: NOW },
  });
  const requested = (extra: { unitPrice?: string } = {}): E.PlanChangeRequested => ({
    type: 'PlanChangeRequested',
    data: { operationId: OP, planId: 'premium', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: NOW, ...extra },
  });
  const accept = (answeredBy: 'Publisher' | 'Timeout' = 'Publisher'): C.AcceptOperation => ({
    type: 'AcceptOperation',
    data: { operationId: OP, now: LATER, answeredBy },
  });
  const planChanged = (extra: { unitPrice?: string } = {}): E.PlanChanged => ({
    type: 'PlanChanged',
    data: { planId: 'premium', previousPlanId: 'standard', operationId: OP, changedAt: LATER, ...extra },
  });

  it('locks the new plan’s price for the subscription’s term when the change is requested', () => {
    spec.given(YEAR_BILLED_MONTHLY).when(changePlan(PREMIUM)).then([requested({ unitPrice: '240.00' })]);
    spec.given(started({ termDuration: 'P1M' }, { termEnd: '2025-04-10', unitPrice: '12.00' })).when(changePlan(PREMIUM)).then([requested({ unitPrice: '20.00' })]);
  });

  it('takes it from the publisher’s PATCH too', () => {
    const change: C.ChangeSubscription = {
      type: 'ChangeSubscription',
      data: { planId: 'premium', quantity: null, plans: [STANDARD, PREMIUM], operationId: OP, requestedBy: 'Publisher', now: NOW },
    };
    spec.given(YEAR_BILLED_MONTHLY).when(change).then([requested({ unitPrice: '240.00' })]);
  });

  it.each<[string, C.PlanPrice[]]>([
    ['no price for the term', [price('P1M', '20.00')]],
    ['no price in the currency', [price('P1Y', '220.00', 'EUR')]],
  ])('refuses a plan with %s: it is not sold on this subscription’s terms', (_case, prices) => {
    spec.given(YEAR_BILLED_MONTHLY).when(changePlan({ ...PREMIUM, prices })).thenThrows('plan-not-available', 'validation');
  });

  it('records no price when the catalog entry carries none (the change keeps the price)', () => {
    const { prices: _prices, ...unpriced } = PREMIUM;
    spec.given(YEAR_BILLED_MONTHLY).when(changePlan(unpriced)).then([requested()]);
    spec.given([...YEAR_BILLED_MONTHLY, requested()]).when(accept()).then([planChanged()]);
  });

  it.each(['Publisher', 'Timeout'] as const)('carries the locked price onto PlanChanged when accepted by %s', (answeredBy) => {
    spec.given([...YEAR_BILLED_MONTHLY, requested({ unitPrice: '240.00' })]).when(accept(answeredBy)).then([planChanged({ unitPrice: '240.00' })]);
  });

  it('charges the new price from then on: the renewal bills it', () => {
    const history = [...YEAR_BILLED_MONTHLY, requested({ unitPrice: '240.00' }), planChanged({ unitPrice: '240.00' })];
    expect(spec.given(history).state()).toMatchObject({ planId: 'premium', unitPrice: '240.00', billing: { unitPrice: '240.00' } });
    const renew: C.RenewSubscription = { type: 'RenewSubscription', data: { operationId: 'op-r', now: '2026-03-11T00:00:00.000Z', termEnd: '2026-03-10' } };
    spec.given(history).when(renew).then([
      {
        type: 'SubscriptionRenewed',
        data: { operationId: 'op-r', termStart: '2026-03-11', termEnd: '2027-03-10', quantity: 10, chargedAmount: '200.00', renewedAt: '2026-03-11T00:00:00.000Z' },
      },
    ]);
  });

  it('keeps the price for an older PlanChanged without one', () => {
    expect(spec.given([...YEAR_BILLED_MONTHLY, requested(), planChanged()]).state()).toMatchObject({ planId: 'premium', unitPrice: '144.00' });
  });
});
