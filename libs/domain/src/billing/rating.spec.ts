import { subscriptionPurchased } from '@mfh/testing';
import { decideAll } from '../decider';
import { toCents } from '../shared/money';
import { addMilliseconds, TERM_DURATIONS, termEndDate, type TermDuration } from '../shared/time';
import type * as C from '../subscription/subscription.commands';
import { subscriptionDecider } from '../subscription/subscription.decider';
import { renewalDueAt } from '../subscription/subscription.timers';
import type * as E from '../subscription/subscription.events';
import type { BillingCycle, SubscriptionEvent } from '../subscription/subscription.events';
import { ChargeLine, ChargeType, FormattedChargeLine, formatChargeLine, totalOf } from './charge-line';
import { RatableEvent, rate, rateNext, ratingOf, RatingState } from './rating';
import { billingCyclesFor } from './terms';

// --- the specification helper ----------------------------------------------------------------------

/**
 * given(history).when(event).then(lines): the event rated incrementally on the state the history
 * folds into must give these lines, and give them again from that state after a JSON round trip
 * (a worker that stores it) and as the tail of re-rating the whole history (an auditor).
 */
const rating = {
  given: (history: readonly RatableEvent[]) => ({
    when: (event: RatableEvent) => {
      const rated = (): ChargeLine[] => {
        const state = ratingOf(history);
        const { lines } = rateNext(state, event);
        expect(rateNext(JSON.parse(JSON.stringify(state)) as RatingState, event).lines).toEqual(lines);
        const whole = rate([...history, event]);
        expect(whole).toEqual([...rate(history), ...lines]);
        return lines;
      };
      return {
        then: (expected: Partial<FormattedChargeLine>[]): ChargeLine[] => {
          const lines = rated();
          expect(lines.map(formatChargeLine)).toEqual(expected.map((line) => expect.objectContaining(line)));
          return lines;
        },
        thenNothing: () => expect(rated()).toEqual([]),
      };
    },
  }),
};

/** The money and dates of a line, as partners read them. */
const line = (
  chargeType: ChargeType,
  [chargeStartDate, chargeEndDate]: [string, string],
  quantity: number,
  unitPrice: string,
  effectiveUnitPrice: string,
  amount: string,
  extra: Partial<FormattedChargeLine> = {},
): Partial<FormattedChargeLine> => ({ chargeType, chargeStartDate, chargeEndDate, quantity, unitPrice, effectiveUnitPrice, amount, ...extra });

// --- events ----------------------------------------------------------------------------------------

const SUBSCRIPTION_ID = '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10';
const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
/** 72 hours for a month, 14 days for a year. */
const MONTH_WINDOW = '2025-03-13T09:00:00.000Z';
const YEAR_WINDOW = '2025-03-24T09:00:00.000Z';

const stored = (id: string, occurredAt: string, event: SubscriptionEvent): RatableEvent => ({ ...event, id, occurredAt }) as RatableEvent;

const purchased = (overrides: Partial<E.SubscriptionPurchasedData> = {}): RatableEvent =>
  stored('e-purchased', PURCHASED_AT, subscriptionPurchased({ subscriptionId: SUBSCRIPTION_ID, purchasedAt: PURCHASED_AT, cancellationAllowedUntil: MONTH_WINDOW, ...overrides }));
const billingStarted = (overrides: Partial<E.BillingStarted['data']> = {}): RatableEvent =>
  stored('e-billing', `${overrides.termStart ?? '2025-03-11'}T10:00:00.000Z`, {
    type: 'BillingStarted',
    data: {
      termStart: '2025-03-11',
      termEnd: '2025-04-10',
      quantity: 10,
      unitPrice: '12.00',
      currency: 'USD',
      billingCycle: 'monthly',
      chargedAmount: '120.00',
      ...overrides,
    },
  });
const seatsChanged = (id: string, changedAt: string, quantity: number, previousQuantity: number): RatableEvent =>
  stored(id, changedAt, { type: 'SeatsChanged', data: { quantity, previousQuantity, operationId: `op-${id}`, changedAt } });
const planChanged = (id: string, changedAt: string, planId: string, unitPrice?: string): RatableEvent =>
  stored(id, changedAt, {
    type: 'PlanChanged',
    data: { planId, previousPlanId: 'standard', operationId: `op-${id}`, changedAt, ...(unitPrice === undefined ? {} : { unitPrice }) },
  });
const cycleStarted = (id: string, cycleStart: string, cycleEnd: string, quantity: number): RatableEvent =>
  stored(id, `${cycleStart}T00:00:00.000Z`, { type: 'BillingCycleStarted', data: { cycleStart, cycleEnd, quantity } });
const renewed = (id: string, termStart: string, termEnd: string, quantity: number): RatableEvent =>
  stored(id, `${termStart}T00:00:00.000Z`, {
    type: 'SubscriptionRenewed',
    data: { operationId: `op-${id}`, termStart, termEnd, quantity, chargedAmount: '0.00', renewedAt: `${termStart}T00:00:00.000Z` },
  });
const cancelled = (id: string, cancelledAt: string): RatableEvent =>
  stored(id, cancelledAt, { type: 'Cancelled', data: { cancelledAt, requestedBy: 'Partner', refund: null, operationId: `op-${id}`, abandonedOperationId: null } });

/** A month billed monthly: 10 seats at 12.00 from 2025-03-11 to 2025-04-10 (31 days). */
const MONTHLY = [purchased(), billingStarted()];
/** A year billed annually: 10 seats at 144.00 from 2025-03-11 to 2026-03-10 (365 days). */
const YEAR_UPFRONT = [
  purchased({ termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '144.00', cancellationAllowedUntil: YEAR_WINDOW }),
  billingStarted({ termEnd: '2026-03-10', unitPrice: '144.00', billingCycle: 'annual', chargedAmount: '1440.00' }),
];
/** A year billed monthly: 10 seats at 144.00 a year, 12.00 a month; the first cycle 2025-03-11 to 2025-04-10. */
const YEAR_MONTHLY = [
  purchased({ termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '144.00', cancellationAllowedUntil: YEAR_WINDOW }),
  billingStarted({ termEnd: '2026-03-10', unitPrice: '144.00', chargedAmount: '120.00' }),
];
const monthlyFrom = (termStart: string, termEnd: string): RatableEvent[] => [
  purchased({ purchasedAt: `${termStart}T08:00:00.000Z`, cancellationAllowedUntil: `${termStart}T08:00:00.000Z` }),
  billingStarted({ termStart, termEnd }),
];
const MONTHLY_CYCLE: [string, string] = ['2025-03-11', '2025-04-10'];

// --- the rules of SPEC §12 -------------------------------------------------------------------------

describe('rating: the SPEC §12 table', () => {
  describe('new (BillingStarted): the first billing cycle, every seat', () => {
    it('charges a month billed monthly: the whole term', () => {
      rating.given([purchased()]).when(billingStarted()).then([line('new', MONTHLY_CYCLE, 10, '12.00', '12.00', '120.00')]);
    });

    it('charges a year billed annually (upfront): the whole year', () => {
      rating
        .given(YEAR_UPFRONT.slice(0, 1))
        .when(YEAR_UPFRONT[1])
        .then([line('new', ['2025-03-11', '2026-03-10'], 10, '144.00', '144.00', '1440.00')]);
    });

    it('charges a year billed monthly: its first month, a twelfth of the year per seat', () => {
      rating.given(YEAR_MONTHLY.slice(0, 1)).when(YEAR_MONTHLY[1]).then([line('new', MONTHLY_CYCLE, 10, '144.00', '12.00', '120.00')]);
    });

    it('rounds the twelfth down to the cent: 7 seats of 99.99 a year pay 7 × 8.33 a month', () => {
      rating
        .given([purchased({ termDuration: 'P1Y', unitPrice: '99.99', quantity: 7 })])
        .when(billingStarted({ termEnd: '2026-03-10', unitPrice: '99.99', quantity: 7 }))
        .then([line('new', MONTHLY_CYCLE, 7, '99.99', '8.33', '58.31')]);
    });

    it('bills the quantity billing started with, after seat changes before it (which charge nothing)', () => {
      rating.given([purchased()]).when(seatsChanged('e-s', '2025-03-10T10:00:00.000Z', 12, 10)).thenNothing();
      rating
        .given([purchased(), seatsChanged('e-s', '2025-03-10T10:00:00.000Z', 12, 10)])
        .when(billingStarted({ quantity: 12 }))
        .then([line('new', MONTHLY_CYCLE, 12, '12.00', '12.00', '144.00')]);
    });

    it('labels the term and cycle as Partner Center does, and names the cycle the line belongs to', () => {
      const [year] = rating.given(YEAR_MONTHLY.slice(0, 1)).when(YEAR_MONTHLY[1]).then([{}]);
      expect(year).toMatchObject({
        termAndBillingCycle: '1 Year Subscription, Monthly billing',
        termStartDate: '2025-03-11',
        termEndDate: '2026-03-10',
        billingCycleStartDate: '2025-03-11',
        billingCycleEndDate: '2025-04-10',
      });
      expect(rate(YEAR_UPFRONT)[0].termAndBillingCycle).toBe('1 Year Subscription, Annual billing');
      expect(rate(MONTHLY)[0].termAndBillingCycle).toBe('1 Month Subscription, Monthly billing');
    });
  });

  describe('cycleCharge (BillingCycleStarted): a later month of a year billed monthly', () => {
    it('charges the month, every seat', () => {
      rating
        .given(YEAR_MONTHLY)
        .when(cycleStarted('e-c1', '2025-04-11', '2025-05-10', 10))
        .then([line('cycleCharge', ['2025-04-11', '2025-05-10'], 10, '144.00', '12.00', '120.00', { billingCycleStartDate: '2025-04-11' })]);
    });

    it('charges a cycle once: the same cycle again charges nothing', () => {
      rating
        .given([...YEAR_MONTHLY, cycleStarted('e-c1', '2025-04-11', '2025-05-10', 10)])
        .when(cycleStarted('e-c1-again', '2025-04-11', '2025-05-10', 10))
        .thenNothing();
    });

    it('bills the seats the cycle starts with: a decrease outside the window counts from the next cycle', () => {
      const decreased = [...YEAR_MONTHLY, seatsChanged('e-s', '2025-03-30T12:00:00.000Z', 7, 10)];
      rating.given(YEAR_MONTHLY).when(decreased[2]).thenNothing();
      rating
        .given(decreased)
        .when(cycleStarted('e-c1', '2025-04-11', '2025-05-10', 7))
        .then([line('cycleCharge', ['2025-04-11', '2025-05-10'], 7, '144.00', '12.00', '84.00')]);
    });
  });

  describe('addQuantity (SeatsChanged up): the added seats, prorated to the end of the cycle', () => {
    it('charges the remaining days, the day of the change included (22 of 31)', () => {
      rating
        .given(MONTHLY)
        .when(seatsChanged('e-s', '2025-03-20T12:00:00.000Z', 12, 10))
        .then([line('addQuantity', ['2025-03-20', '2025-04-10'], 2, '12.00', '8.51', '17.02', { billingCycleStartDate: '2025-03-11', billingCycleEndDate: '2025-04-10' })]);
    });

    it('charges them outside the refund window too', () => {
      rating
        .given(MONTHLY)
        .when(seatsChanged('e-s', '2025-04-01T00:00:00.000Z', 11, 10))
        .then([line('addQuantity', ['2025-04-01', '2025-04-10'], 1, '12.00', '3.87', '3.87')]);
    });

    it('prorates a year billed annually to the end of the term (181 of 365 days)', () => {
      rating
        .given(YEAR_UPFRONT)
        .when(seatsChanged('e-s', '2025-09-11T09:00:00.000Z', 11, 10))
        .then([line('addQuantity', ['2025-09-11', '2026-03-10'], 1, '144.00', '71.40', '71.40')]);
    });

    it('prorates a year billed monthly to the end of its month (16 of 31 days of a twelfth)', () => {
      rating
        .given(YEAR_MONTHLY)
        .when(seatsChanged('e-s', '2025-03-26T09:00:00.000Z', 13, 10))
        .then([line('addQuantity', ['2025-03-26', '2025-04-10'], 3, '144.00', '6.19', '18.57')]);
    });
  });

  describe('removeQuantity (SeatsChanged down): credited only inside the refund window', () => {
    it('credits the removed seats for the remaining days (30 of 31) inside the window', () => {
      rating
        .given(MONTHLY)
        .when(seatsChanged('e-s', '2025-03-12T08:00:00.000Z', 7, 10))
        .then([line('removeQuantity', ['2025-03-12', '2025-04-10'], 3, '12.00', '11.61', '-34.83')]);
    });

    it('credits up to the last instant of the window', () => {
      rating
        .given(MONTHLY)
        .when(seatsChanged('e-s', MONTH_WINDOW, 9, 10))
        .then([line('removeQuantity', ['2025-03-13', '2025-04-10'], 1, '12.00', '11.22', '-11.22')]);
    });

    it('credits nothing outside the window', () => {
      rating.given(MONTHLY).when(seatsChanged('e-s', '2025-03-13T09:00:00.001Z', 7, 10)).thenNothing();
    });
  });

  describe('convert (PlanChanged): the rest of the cycle credited on the old plan, charged on the new', () => {
    it('credits standard at 12.00 and charges premium at 20.00 for 22 of 31 days, every seat', () => {
      rating
        .given(MONTHLY)
        .when(planChanged('e-p', '2025-03-20T12:00:00.000Z', 'premium', '20.00'))
        .then([
          line('convert', ['2025-03-20', '2025-04-10'], 10, '12.00', '8.51', '-85.10', { planId: 'standard', index: 0 }),
          line('convert', ['2025-03-20', '2025-04-10'], 10, '20.00', '14.19', '141.90', { planId: 'premium', index: 1 }),
        ]);
    });

    it('converts outside the refund window too (conversions are allowed at any time)', () => {
      rating
        .given(YEAR_UPFRONT)
        .when(planChanged('e-p', '2025-09-11T09:00:00.000Z', 'premium', '240.00'))
        .then([
          line('convert', ['2025-09-11', '2026-03-10'], 10, '144.00', '71.40', '-714.00', { planId: 'standard' }),
          line('convert', ['2025-09-11', '2026-03-10'], 10, '240.00', '119.01', '1190.10', { planId: 'premium' }),
        ]);
    });

    it('keeps the price for a PlanChanged that records none (older events): the two lines cancel out', () => {
      const lines = rating
        .given(MONTHLY)
        .when(planChanged('e-p', '2025-03-20T12:00:00.000Z', 'premium'))
        .then([
          line('convert', ['2025-03-20', '2025-04-10'], 10, '12.00', '8.51', '-85.10', { planId: 'standard' }),
          line('convert', ['2025-03-20', '2025-04-10'], 10, '12.00', '8.51', '85.10', { planId: 'premium' }),
        ]);
      expect(totalOf(lines)).toBe(0);
    });

    it('bills the new plan and price from then on', () => {
      rating
        .given([...MONTHLY, planChanged('e-p', '2025-03-20T12:00:00.000Z', 'premium', '20.00')])
        .when(renewed('e-r', '2025-04-11', '2025-05-10', 10))
        .then([line('renew', ['2025-04-11', '2025-05-10'], 10, '20.00', '20.00', '200.00', { planId: 'premium' })]);
    });
  });

  describe('cancelImmediate (Cancelled inside the window): everything the term charged, given back', () => {
    it('credits the new charge exactly', () => {
      const lines = rating
        .given(MONTHLY)
        .when(cancelled('e-x', '2025-03-12T10:00:00.000Z'))
        .then([line('cancelImmediate', MONTHLY_CYCLE, 10, '12.00', '12.00', '-120.00', { reversesLineId: 'e-billing/charge/0' })]);
      expect(totalOf([...rate(MONTHLY), ...lines])).toBe(0);
    });

    it('credits nothing outside the window (Cancelled by the publisher later)', () => {
      rating.given(MONTHLY).when(cancelled('e-x', '2025-03-20T10:00:00.000Z')).thenNothing();
    });

    it('credits nothing when billing never started', () => {
      rating.given([purchased()]).when(cancelled('e-x', '2025-03-10T10:00:00.000Z')).thenNothing();
    });
  });

  describe('renew (SubscriptionRenewed): the new term’s first cycle', () => {
    it('charges a renewed month', () => {
      rating.given(MONTHLY).when(renewed('e-r', '2025-04-11', '2025-05-10', 10)).then([line('renew', ['2025-04-11', '2025-05-10'], 10, '12.00', '12.00', '120.00')]);
    });

    it('charges the first month of a renewed year billed monthly', () => {
      rating
        .given(YEAR_MONTHLY)
        .when(renewed('e-r', '2026-03-11', '2027-03-10', 10))
        .then([line('renew', ['2026-03-11', '2026-04-10'], 10, '144.00', '12.00', '120.00', { termStartDate: '2026-03-11', termEndDate: '2027-03-10' })]);
    });

    it('charges a renewed year billed annually', () => {
      rating.given(YEAR_UPFRONT).when(renewed('e-r', '2026-03-11', '2027-03-10', 10)).then([line('renew', ['2026-03-11', '2027-03-10'], 10, '144.00', '144.00', '1440.00')]);
    });
  });

  describe('nothing', () => {
    const activeLater = '2025-03-12T08:00:00.000Z';
    it.each<[string, SubscriptionEvent]>([
      ['a rename', { type: 'SubscriptionRenamed', data: { friendlyName: 'CRM', previousFriendlyName: 'CRM for Fabrikam' } }],
      ['auto-renew turned off', { type: 'AutoRenewDisabled', data: {} }],
      ['auto-renew turned on', { type: 'AutoRenewEnabled', data: {} }],
      ['an indirect reseller assigned', { type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } }],
      ['an indirect reseller removed', { type: 'IndirectResellerRemoved', data: { mpnId: '1234567' } }],
      ['expiry', { type: 'SubscriptionExpired', data: { operationId: 'op-e', termEnd: '2025-04-10', expiredAt: '2025-04-11T00:00:00.000Z' } }],
      ['a publisher action required', { type: 'PublisherActionRequired', data: { reason: 'Verify', url: 'https://x.example', blockedOperations: [], signedAt: activeLater } }],
      ['a publisher action resolved', { type: 'PublisherActionResolved', data: { signedAt: activeLater } }],
      ['a seat change requested', { type: 'SeatChangeRequested', data: { operationId: 'op', quantity: 15, previousQuantity: 10, requestedBy: 'Partner', requestedAt: activeLater } }],
      ['a seat change rejected', { type: 'SeatChangeRejected', data: { operationId: 'op', quantity: 15, reason: null, rejectedAt: activeLater } }],
      [
        'a plan change requested',
        { type: 'PlanChangeRequested', data: { operationId: 'op', planId: 'premium', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: activeLater, unitPrice: '20.00' } },
      ],
      ['a plan change rejected', { type: 'PlanChangeRejected', data: { operationId: 'op', planId: 'premium', reason: null, rejectedAt: activeLater } }],
      ['a cancellation requested', { type: 'CancellationRequested', data: { operationId: 'op', requestedBy: 'Publisher', requestedAt: activeLater } }],
      ['a cancellation rejected', { type: 'CancellationRejected', data: { operationId: 'op', reason: null, rejectedAt: activeLater } }],
      ['the licenses assigned', { type: 'PublisherActivated', data: { assignedSeats: 10 } }],
      ['fulfilment confirmed', { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 10 } }],
      ['a purchase seen twice', purchased()],
      ['billing started twice', billingStarted()],
    ])('charges nothing for %s', (_case, event) => {
      rating.given(MONTHLY).when(stored('e-other', activeLater, event)).thenNothing();
    });

    it('charges nothing once the subscription ended', () => {
      const expired = stored('e-end', '2025-04-11T00:00:00.000Z', {
        type: 'SubscriptionExpired',
        data: { operationId: 'op-e', termEnd: '2025-04-10', expiredAt: '2025-04-11T00:00:00.000Z' },
      });
      rating.given([...MONTHLY, expired]).when(seatsChanged('e-s', '2025-04-11T01:00:00.000Z', 12, 10)).thenNothing();
      rating.given([...MONTHLY, expired]).when(renewed('e-r', '2025-04-11', '2025-05-10', 10)).thenNothing();
      rating.given([...YEAR_MONTHLY, cancelled('e-x', '2025-03-12T00:00:00.000Z')]).when(cycleStarted('e-c', '2025-04-11', '2025-05-10', 10)).thenNothing();
      rating.given([...MONTHLY, cancelled('e-x', '2025-03-12T00:00:00.000Z')]).when(cancelled('e-x2', '2025-03-12T01:00:00.000Z')).thenNothing();
    });

    it('charges nothing for events before the purchase is known', () => {
      rating.given([]).when(billingStarted()).thenNothing();
    });

    it('carries the reseller at the time of the charge onto the line', () => {
      const assigned = stored('e-mpn', '2025-03-15T00:00:00.000Z', { type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } });
      rating
        .given([...MONTHLY, assigned])
        .when(seatsChanged('e-s', '2025-03-20T12:00:00.000Z', 11, 10))
        .then([{ chargeType: 'addQuantity', resellerMpnId: '1234567' }]);
      expect(rate(MONTHLY)[0].resellerMpnId).toBeNull();
    });
  });
});

// --- edge cases ----------------------------------------------------------------------------------------

describe('rating: edge cases', () => {
  it('charges a change on the last day of a cycle for that one day (1 of 31)', () => {
    rating
      .given(MONTHLY)
      .when(seatsChanged('e-s', '2025-04-10T18:00:00.000Z', 12, 10))
      .then([line('addQuantity', ['2025-04-10', '2025-04-10'], 2, '12.00', '0.38', '0.76')]);
  });

  it('charges a change on the last day of a month of a year billed monthly for that day only', () => {
    rating
      .given([...YEAR_MONTHLY, cycleStarted('e-c1', '2025-04-11', '2025-05-10', 10)])
      .when(seatsChanged('e-s', '2025-05-10T23:59:59.999Z', 11, 10))
      .then([line('addQuantity', ['2025-05-10', '2025-05-10'], 1, '144.00', '0.40', '0.40', { billingCycleStartDate: '2025-04-11' })]);
  });

  it('prorates over February’s 28 days (14 of 28 is exactly half)', () => {
    rating
      .given(monthlyFrom('2026-02-01', '2026-02-28'))
      .when(seatsChanged('e-s', '2026-02-15T12:00:00.000Z', 11, 10))
      .then([line('addQuantity', ['2026-02-15', '2026-02-28'], 1, '12.00', '6.00', '6.00')]);
  });

  it('prorates over a leap February’s 29 days, the leap day itself included', () => {
    const leap = monthlyFrom('2028-02-01', '2028-02-29');
    rating.given(leap).when(seatsChanged('e-s', '2028-02-15T12:00:00.000Z', 11, 10)).then([line('addQuantity', ['2028-02-15', '2028-02-29'], 1, '12.00', '6.20', '6.20')]);
    rating.given(leap).when(seatsChanged('e-s', '2028-02-29T12:00:00.000Z', 11, 10)).then([line('addQuantity', ['2028-02-29', '2028-02-29'], 1, '12.00', '0.41', '0.41')]);
  });

  it('prorates a year that holds a leap day over 366 days', () => {
    rating
      .given([YEAR_UPFRONT[0], billingStarted({ termStart: '2027-03-11', termEnd: '2028-03-10', unitPrice: '144.00', billingCycle: 'annual' })])
      .when(seatsChanged('e-s', '2028-02-29T12:00:00.000Z', 11, 10))
      .then([line('addQuantity', ['2028-02-29', '2028-03-10'], 1, '144.00', '4.32', '4.32')]);
  });

  describe('a term starting on the 31st', () => {
    const FROM_31ST = [
      purchased({ termDuration: 'P1Y', unitPrice: '144.00', cancellationAllowedUntil: '2025-02-14T09:00:00.000Z' }),
      billingStarted({ termStart: '2025-01-31', termEnd: '2026-01-30', unitPrice: '144.00' }),
    ];

    it('bills a month billed monthly to the day before the clamped anniversary (28 days)', () => {
      rating.given([purchased()]).when(billingStarted({ termStart: '2025-01-31', termEnd: '2025-02-27' })).then([line('new', ['2025-01-31', '2025-02-27'], 10, '12.00', '12.00', '120.00')]);
      rating
        .given(monthlyFrom('2025-01-31', '2025-02-27'))
        .when(seatsChanged('e-s', '2025-02-14T00:00:00.000Z', 11, 10))
        .then([line('addQuantity', ['2025-02-14', '2025-02-27'], 1, '12.00', '6.00', '6.00')]);
    });

    it('keeps a year’s months on the month end, not drifting to the 28th', () => {
      rating.given(FROM_31ST.slice(0, 1)).when(FROM_31ST[1]).then([line('new', ['2025-01-31', '2025-02-27'], 10, '144.00', '12.00', '120.00')]);
      rating
        .given(FROM_31ST)
        .when(seatsChanged('e-s', '2025-02-27T12:00:00.000Z', 11, 10))
        .then([line('addQuantity', ['2025-02-27', '2025-02-27'], 1, '144.00', '0.42', '0.42')]);
      rating
        .given([...FROM_31ST, cycleStarted('e-c1', '2025-02-28', '2025-03-30', 10)])
        .when(cycleStarted('e-c2', '2025-03-31', '2025-04-29', 10))
        .then([line('cycleCharge', ['2025-03-31', '2025-04-29'], 10, '144.00', '12.00', '120.00')]);
    });
  });

  it('tells a year billed annually from one billed monthly: the same change, prorated to the term or to the month', () => {
    const change = seatsChanged('e-s', '2025-03-26T09:00:00.000Z', 11, 10);
    rating.given(YEAR_UPFRONT).when(change).then([line('addQuantity', ['2025-03-26', '2026-03-10'], 1, '144.00', '138.08', '138.08')]);
    rating.given(YEAR_MONTHLY).when(change).then([line('addQuantity', ['2025-03-26', '2025-04-10'], 1, '144.00', '6.19', '6.19')]);
  });

  describe('seats increased then decreased in the same cycle', () => {
    it('inside the window, on the same day: the credit is the exact negative of the charge', () => {
      const added = seatsChanged('e-s1', '2025-03-12T08:00:00.000Z', 12, 10);
      const [charge] = rating.given(MONTHLY).when(added).then([line('addQuantity', ['2025-03-12', '2025-04-10'], 2, '12.00', '11.61', '23.22')]);
      const [credit] = rating
        .given([...MONTHLY, added])
        .when(seatsChanged('e-s2', '2025-03-12T09:00:00.000Z', 10, 12))
        .then([line('removeQuantity', ['2025-03-12', '2025-04-10'], 2, '12.00', '11.61', '-23.22')]);
      expect(charge.amount + credit.amount).toBe(0);
    });

    it('outside the window: the decrease credits nothing, and the renewal bills the seats left', () => {
      const added = seatsChanged('e-s1', '2025-03-20T12:00:00.000Z', 12, 10);
      const removed = seatsChanged('e-s2', '2025-03-25T12:00:00.000Z', 10, 12);
      rating.given(MONTHLY).when(added).then([line('addQuantity', ['2025-03-20', '2025-04-10'], 2, '12.00', '8.51', '17.02')]);
      rating.given([...MONTHLY, added]).when(removed).thenNothing();
      rating.given([...MONTHLY, added, removed]).when(renewed('e-r', '2025-04-11', '2025-05-10', 10)).then([line('renew', ['2025-04-11', '2025-05-10'], 10, '12.00', '12.00', '120.00')]);
    });
  });

  describe('cancelled after changes: everything the term charged comes back, to exactly 0.00', () => {
    it('after seats added and removed', () => {
      const history = [...MONTHLY, seatsChanged('e-s1', '2025-03-12T08:00:00.000Z', 12, 10), seatsChanged('e-s2', '2025-03-13T08:00:00.000Z', 11, 12)];
      expect(rate(history).map((l) => formatChargeLine(l).amount)).toEqual(['120.00', '23.22', '-11.22']);
      const credits = rating
        .given(history)
        .when(cancelled('e-x', '2025-03-13T08:30:00.000Z'))
        .then([
          line('cancelImmediate', MONTHLY_CYCLE, 10, '12.00', '12.00', '-120.00', { reversesLineId: 'e-billing/charge/0', index: 0 }),
          line('cancelImmediate', ['2025-03-12', '2025-04-10'], 2, '12.00', '11.61', '-23.22', { reversesLineId: 'e-s1/charge/0', index: 1 }),
          line('cancelImmediate', ['2025-03-13', '2025-04-10'], 1, '12.00', '11.22', '11.22', { reversesLineId: 'e-s2/charge/0', index: 2 }),
        ]);
      expect(totalOf([...rate(history), ...credits])).toBe(0);
    });

    it('after a plan conversion: each plan’s lines reversed on that plan', () => {
      const history = [...MONTHLY, planChanged('e-p', '2025-03-12T08:00:00.000Z', 'premium', '20.00')];
      expect(rate(history).map((l) => [l.planId, formatChargeLine(l).amount])).toEqual([
        ['standard', '120.00'],
        ['standard', '-116.10'],
        ['premium', '193.50'],
      ]);
      const credits = rating
        .given(history)
        .when(cancelled('e-x', '2025-03-12T10:00:00.000Z'))
        .then([
          { chargeType: 'cancelImmediate', planId: 'standard', amount: '-120.00' },
          { chargeType: 'cancelImmediate', planId: 'standard', amount: '116.10' },
          { chargeType: 'cancelImmediate', planId: 'premium', unitPrice: '20.00', effectiveUnitPrice: '19.35', amount: '-193.50' },
        ]);
      expect(totalOf([...rate(history), ...credits])).toBe(0);
    });

    it('after a year billed monthly added seats in its first month', () => {
      const history = [...YEAR_MONTHLY, seatsChanged('e-s', '2025-03-20T12:00:00.000Z', 15, 10)];
      const credits = rating.given(history).when(cancelled('e-x', '2025-03-21T00:00:00.000Z')).then([{ amount: '-120.00' }, { amount: '-42.55', quantity: 5 }]);
      expect(totalOf([...rate(history), ...credits])).toBe(0);
    });
  });

  it('renews after a mid-term decrease outside the window for the new quantity, with no credit', () => {
    const decreased = seatsChanged('e-s', '2025-03-20T12:00:00.000Z', 8, 10);
    rating.given(MONTHLY).when(decreased).thenNothing();
    rating.given([...MONTHLY, decreased]).when(renewed('e-r', '2025-04-11', '2025-05-10', 8)).then([line('renew', ['2025-04-11', '2025-05-10'], 8, '12.00', '12.00', '96.00')]);
  });

  it('charges nothing for a change dated after the cycle whose successor has not started: that cycle bills the new seats', () => {
    rating.given(YEAR_MONTHLY).when(seatsChanged('e-s', '2025-04-11T06:00:00.000Z', 12, 10)).thenNothing();
    rating
      .given([...YEAR_MONTHLY, seatsChanged('e-s', '2025-04-11T06:00:00.000Z', 12, 10)])
      .when(cycleStarted('e-c1', '2025-04-11', '2025-05-10', 12))
      .then([line('cycleCharge', ['2025-04-11', '2025-05-10'], 12, '144.00', '12.00', '144.00')]);
  });
});

// --- determinism ---------------------------------------------------------------------------------------

describe('rating: the same history always rates the same', () => {
  /** A year billed monthly, lived: seats up and down, a conversion, every month, a renewal. */
  const YEAR: RatableEvent[] = [
    ...YEAR_MONTHLY,
    seatsChanged('e-s1', '2025-03-14T10:00:00.000Z', 12, 10),
    seatsChanged('e-s2', '2025-03-20T10:00:00.000Z', 11, 12),
    cycleStarted('e-c1', '2025-04-11', '2025-05-10', 11),
    seatsChanged('e-s3', '2025-05-01T10:00:00.000Z', 9, 11),
    cycleStarted('e-c2', '2025-05-11', '2025-06-10', 9),
    planChanged('e-p', '2025-05-20T10:00:00.000Z', 'premium', '240.00'),
    ...[
      ['2025-06-11', '2025-07-10'],
      ['2025-07-11', '2025-08-10'],
      ['2025-08-11', '2025-09-10'],
      ['2025-09-11', '2025-10-10'],
      ['2025-10-11', '2025-11-10'],
      ['2025-11-11', '2025-12-10'],
      ['2025-12-11', '2026-01-10'],
      ['2026-01-11', '2026-02-10'],
      ['2026-02-11', '2026-03-10'],
    ].map(([start, end], i) => cycleStarted(`e-c${i + 3}`, start, end, 9)),
    renewed('e-r', '2026-03-11', '2027-03-10', 9),
  ];

  it('gives the same lines, with the same ids, every time', () => {
    expect(rate(YEAR)).toEqual(rate(YEAR));
    expect(rate(YEAR).map((l) => l.id)).toEqual(rate(structuredClone(YEAR)).map((l) => l.id));
  });

  it('gives the same lines one event at a time, from a stored state, as all at once', () => {
    let state: RatingState = ratingOf([]);
    const incremental: ChargeLine[] = [];
    for (const event of YEAR) {
      const next = rateNext(JSON.parse(JSON.stringify(state)) as RatingState, event);
      state = next.state;
      incremental.push(...next.lines);
    }
    expect(incremental).toEqual(rate(YEAR));
    expect(state).toEqual(ratingOf(YEAR));
  });

  it('never changes a line once rated: rating a longer history only adds lines', () => {
    for (let n = 0; n <= YEAR.length; n++) expect(rate(YEAR).slice(0, rate(YEAR.slice(0, n)).length)).toEqual(rate(YEAR.slice(0, n)));
  });

  it('derives each line id from its cause and its index', () => {
    const lines = rate(YEAR);
    for (const l of lines) expect(l.id).toBe(`${l.referenceId}/charge/${l.index}`);
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    expect(lines.filter((l) => l.referenceId === 'e-p').map((l) => l.id)).toEqual(['e-p/charge/0', 'e-p/charge/1']);
    expect(lines.find((l) => l.referenceId === 'e-c1')).toMatchObject({ occurredAt: '2025-04-11T00:00:00.000Z', subscriptionId: SUBSCRIPTION_ID, partnerId: 'partner-1', currency: 'USD' });
  });

  it('adds up the year to the cent', () => {
    const lines = rate(YEAR);
    expect(lines.map((l) => [l.chargeType, formatChargeLine(l).amount])).toEqual([
      ['new', '120.00'],
      ['addQuantity', '21.66'], // 2 × floor(14400 × 28 / (12 × 31)) = 2 × 10.83
      ['removeQuantity', '-8.51'], // 1 × floor(14400 × 22 / 372), inside the window
      ['cycleCharge', '132.00'], // 11 × 12.00; the decrease on 05-01 is outside the window: nothing
      ['cycleCharge', '108.00'], // 9 × 12.00
      ['convert', '-76.59'], // 9 × floor(14400 × 22 / 372) = 9 × 8.51, on standard
      ['convert', '127.71'], // 9 × floor(24000 × 22 / 372) = 9 × 14.19, on premium
      ...Array.from({ length: 9 }, () => ['cycleCharge', '180.00']), // 9 × 20.00
      ['renew', '180.00'],
    ]);
    expect(formatChargeLine({ ...lines[0], amount: totalOf(lines) }).amount).toBe('2224.27');
  });
});

describe('formatChargeLine', () => {
  it('writes money as decimal strings with two places, credits negative, no tax', () => {
    const [credit] = rate([...MONTHLY, seatsChanged('e-s', '2025-03-12T08:00:00.000Z', 7, 10)]).slice(1);
    expect(formatChargeLine(credit)).toMatchObject({
      unitPrice: '12.00',
      effectiveUnitPrice: '11.61',
      amount: '-34.83',
      quantity: 3,
      billableQuantity: 3,
      subtotal: '-34.83',
      taxTotal: '0.00',
      totalForCustomer: '-34.83',
      currency: 'USD',
      referenceId: 'e-s',
    });
  });
});

// --- agreement with the decider ----------------------------------------------------------------------

describe('rating agrees with what the subscription says it charged', () => {
  // Every term with every cycle it can be billed in: ten pairs.
  const terms: [TermDuration, BillingCycle][] = TERM_DURATIONS.flatMap((term) => billingCyclesFor(term).map((cycle): [TermDuration, BillingCycle] => [term, cycle]));
  const cases = terms.flatMap(([termDuration, billingCycle]) =>
    ['12.00', '99.99', '0.01', '7.77', '123456789.99'].flatMap((unitPrice) => [1, 7, 300].map((quantity) => ({ termDuration, billingCycle, unitPrice, quantity }))),
  );

  it.each(cases)('new and renew equal chargedAmount for $termDuration billed $billingCycle at $unitPrice × $quantity', ({ termDuration, billingCycle, unitPrice, quantity }) => {
    const { data: purchaseData } = purchased({ termDuration, billingCycle, unitPrice, quantity }) as E.SubscriptionPurchased;
    const { autoRenewEnabled: _a, purchasedAt: _p, cancellationAllowedUntil: _c, ...fields } = purchaseData;
    const commands: C.SubscriptionCommand[] = [
      { type: 'PurchaseSubscription', data: { ...fields, limits: { minQuantity: 1, maxQuantity: 300 }, cancellationWindowMs: 72 * 3_600_000, testClockId: null, now: PURCHASED_AT } },
      { type: 'RecordLicensesAssigned', data: { assignedSeats: 1 } },
      { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity, pricedPerSeat: true } },
      { type: 'StartBilling', data: { now: '2025-03-11T10:00:00.000Z' } },
    ];
    const started = decideAll(subscriptionDecider, commands, subscriptionDecider.initialState());
    const state = started.reduce(subscriptionDecider.evolve, subscriptionDecider.initialState());
    const termEnd = state.status === 'active' ? state.billing.termEnd : '';
    const renewal = subscriptionDecider.decide({ type: 'RenewSubscription', data: { operationId: 'op-r', termEnd, now: renewalDueAt(termEnd) } }, state);
    const history = [...started, ...renewal].map((event, i) => stored(`e-${i}`, '2025-03-11T10:00:00.000Z', event));
    const charged = history.flatMap((event) =>
      event.type === 'BillingStarted' || event.type === 'SubscriptionRenewed' ? [toCents(event.data.chargedAmount)] : [],
    );
    expect(rate(history).map((l) => l.amount)).toEqual(charged);
  });
});

// --- terms of one month to three years (SPEC §13) -------------------------------------------------------

/**
 * Fabrikam Analytics `team`, 3 seats, bought 2027-01-05 09:00 with a 72-hour window, billed from
 * 2027-01-05. The price is per seat per term (P1Y 200.00, P2Y 380.00, P3Y 540.00), split evenly over
 * the term's cycles: a year of P3Y is 180.00, a month 15.00; a year of P2Y 190.00.
 */
describe('rating: terms of one month to three years', () => {
  const PRICES: Record<TermDuration, string> = { P1M: '20.00', P1Y: '200.00', P2Y: '380.00', P3Y: '540.00' };
  /** Bought at 09:00 on `termStart` with a 72-hour window, billed from that day. */
  const bought = (termDuration: TermDuration, billingCycle: BillingCycle, termStart = '2027-01-05', unitPrice = PRICES[termDuration]): RatableEvent[] => {
    const purchasedAt = `${termStart}T09:00:00.000Z`;
    const cancellationAllowedUntil = addMilliseconds(purchasedAt, 72 * 3_600_000);
    return [
      purchased({ offerId: 'fabrikam-analytics', planId: 'team', quantity: 3, termDuration, billingCycle, unitPrice, purchasedAt, cancellationAllowedUntil }),
      billingStarted({ termStart, termEnd: termEndDate(termStart, termDuration), quantity: 3, unitPrice, billingCycle, chargedAmount: '0.00' }),
    ];
  };
  const FIRST_YEAR: [string, string] = ['2027-01-05', '2028-01-04'];
  const SECOND_YEAR: [string, string] = ['2028-01-05', '2029-01-04'];
  const THIRD_YEAR: [string, string] = ['2029-01-05', '2030-01-04'];

  describe('P2Y billed annually', () => {
    const P2Y_ANNUAL = bought('P2Y', 'annual');

    it('charges new for the first year: 3 × 380.00 / 2 = 3 × 190.00 = 570.00', () => {
      rating
        .given(P2Y_ANNUAL.slice(0, 1))
        .when(P2Y_ANNUAL[1])
        .then([line('new', FIRST_YEAR, 3, '380.00', '190.00', '570.00', { termAndBillingCycle: '2 Year Subscription, Annual billing', termEndDate: '2029-01-04', billingCycleEndDate: '2028-01-04' })]);
    });

    it('charges the second year a year later: cycleCharge 570.00, and no month in between', () => {
      rating.given(P2Y_ANNUAL).when(cycleStarted('e-c1', ...SECOND_YEAR, 3)).then([line('cycleCharge', SECOND_YEAR, 3, '380.00', '190.00', '570.00', { billingCycleStartDate: '2028-01-05' })]);
      rating.given(P2Y_ANNUAL).when(cycleStarted('e-month', '2027-02-05', '2027-03-04', 3)).thenNothing();
    });

    it('renews for the new term’s first year: renew 570.00 for 2029-01-05 to 2030-01-04', () => {
      rating
        .given([...P2Y_ANNUAL, cycleStarted('e-c1', ...SECOND_YEAR, 3)])
        .when(renewed('e-r', '2029-01-05', '2031-01-04', 3))
        .then([line('renew', ['2029-01-05', '2030-01-04'], 3, '380.00', '190.00', '570.00', { termStartDate: '2029-01-05', termEndDate: '2031-01-04' })]);
    });
  });

  describe('P3Y billed monthly', () => {
    const P3Y_MONTHLY = bought('P3Y', 'monthly');

    it('charges a month of the 36: 540.00 / 36 = 15.00 a seat, new 45.00', () => {
      rating
        .given(P3Y_MONTHLY.slice(0, 1))
        .when(P3Y_MONTHLY[1])
        .then([line('new', ['2027-01-05', '2027-02-04'], 3, '540.00', '15.00', '45.00', { termAndBillingCycle: '3 Year Subscription, Monthly billing' })]);
    });

    it('charges the thirteenth and the last month like any other', () => {
      rating.given(P3Y_MONTHLY).when(cycleStarted('e-c12', '2028-01-05', '2028-02-04', 3)).then([line('cycleCharge', ['2028-01-05', '2028-02-04'], 3, '540.00', '15.00', '45.00')]);
      rating.given(P3Y_MONTHLY).when(cycleStarted('e-c35', '2029-12-05', '2030-01-04', 3)).then([line('cycleCharge', ['2029-12-05', '2030-01-04'], 3, '540.00', '15.00', '45.00')]);
    });

    it('rounds a thirty-sixth down to the cent: 99.99 over 36 months is 2.77 a month', () => {
      rating.given(bought('P3Y', 'monthly', '2027-01-05', '99.99').slice(0, 1)).when(bought('P3Y', 'monthly', '2027-01-05', '99.99')[1]).then([line('new', ['2027-01-05', '2027-02-04'], 3, '99.99', '2.77', '8.31')]);
    });

    it('credits a seat removed inside the window for 30 of the month’s 31 days: ⌊54000 × 30 / (36 × 31)⌋ = 14.51', () => {
      rating.given(P3Y_MONTHLY).when(seatsChanged('e-s', '2027-01-06T08:00:00.000Z', 2, 3)).then([line('removeQuantity', ['2027-01-06', '2027-02-04'], 1, '540.00', '14.51', '-14.51')]);
    });
  });

  describe('P3Y billed annually', () => {
    const P3Y_ANNUAL = bought('P3Y', 'annual');
    const TWO_YEARS = [...P3Y_ANNUAL, cycleStarted('e-c1', ...SECOND_YEAR, 3)];

    it('charges a year of the three at a time: new 3 × 180.00 = 540.00, then 540.00 on each anniversary', () => {
      rating.given(P3Y_ANNUAL.slice(0, 1)).when(P3Y_ANNUAL[1]).then([line('new', FIRST_YEAR, 3, '540.00', '180.00', '540.00', { termAndBillingCycle: '3 Year Subscription, Annual billing' })]);
      rating.given(P3Y_ANNUAL).when(cycleStarted('e-c1', ...SECOND_YEAR, 3)).then([line('cycleCharge', SECOND_YEAR, 3, '540.00', '180.00', '540.00')]);
      rating.given(TWO_YEARS).when(cycleStarted('e-c2', ...THIRD_YEAR, 3)).then([line('cycleCharge', THIRD_YEAR, 3, '540.00', '180.00', '540.00')]);
    });

    it('prorates seats added mid-year to the end of that year, over its 366 days (2028 has a leap day): 2 × ⌊54000 × 184 / (3 × 366)⌋ = 2 × 90.49', () => {
      const added = seatsChanged('e-s', '2028-07-05T12:00:00.000Z', 5, 3);
      rating.given(TWO_YEARS).when(added).then([line('addQuantity', ['2028-07-05', '2029-01-04'], 2, '540.00', '90.49', '180.98', { billingCycleStartDate: '2028-01-05', billingCycleEndDate: '2029-01-04' })]);
      rating.given([...TWO_YEARS, added]).when(cycleStarted('e-c2', ...THIRD_YEAR, 5)).then([line('cycleCharge', THIRD_YEAR, 5, '540.00', '180.00', '900.00')]);
    });

    it('converts for the rest of the year: team credited 3 × 90.73, business charged 3 × 181.47 (184 of 365 days)', () => {
      rating
        .given(P3Y_ANNUAL)
        .when(planChanged('e-p', '2027-07-05T12:00:00.000Z', 'business', '1080.00'))
        .then([
          line('convert', ['2027-07-05', '2028-01-04'], 3, '540.00', '90.73', '-272.19', { planId: 'team' }),
          line('convert', ['2027-07-05', '2028-01-04'], 3, '1080.00', '181.47', '544.41', { planId: 'business' }),
        ]);
    });
  });

  describe('billed upfront: the whole term in one cycle', () => {
    it('charges a P3Y upfront once: 3 × 540.00 = 1620.00 for the three years, and no cycle after', () => {
      const P3Y_UPFRONT = bought('P3Y', 'upfront');
      rating
        .given(P3Y_UPFRONT.slice(0, 1))
        .when(P3Y_UPFRONT[1])
        .then([line('new', ['2027-01-05', '2030-01-04'], 3, '540.00', '540.00', '1620.00', { termAndBillingCycle: '3 Year Subscription, Upfront billing' })]);
      rating.given(P3Y_UPFRONT).when(cycleStarted('e-c1', ...SECOND_YEAR, 3)).thenNothing();
    });

    it('charges a P1Y upfront like a year billed annually: 3 × 200.00 = 600.00', () => {
      const P1Y_UPFRONT = bought('P1Y', 'upfront');
      rating
        .given(P1Y_UPFRONT.slice(0, 1))
        .when(P1Y_UPFRONT[1])
        .then([line('new', FIRST_YEAR, 3, '200.00', '200.00', '600.00', { termAndBillingCycle: '1 Year Subscription, Upfront billing' })]);
    });

    it('credits a P2Y upfront cancelled inside its window back to exactly 0.00, a seat added meanwhile included', () => {
      const added = seatsChanged('e-s', '2027-01-06T08:00:00.000Z', 4, 3);
      const history = [...bought('P2Y', 'upfront'), added];
      // The term is 731 days (2028-02-29 in it); the added seat pays 730 of them: ⌊38000 × 730 / 731⌋ = 379.48.
      expect(rate(history).map((l) => [l.chargeType, formatChargeLine(l).amount])).toEqual([
        ['new', '1140.00'],
        ['addQuantity', '379.48'],
      ]);
      const credits = rating
        .given(history)
        .when(cancelled('e-x', '2027-01-07T12:00:00.000Z'))
        .then([
          line('cancelImmediate', ['2027-01-05', '2029-01-04'], 3, '380.00', '380.00', '-1140.00', { reversesLineId: 'e-billing/charge/0' }),
          line('cancelImmediate', ['2027-01-06', '2029-01-04'], 1, '380.00', '379.48', '-379.48', { reversesLineId: 'e-s/charge/0' }),
        ]);
      expect(totalOf([...rate(history), ...credits])).toBe(0);
      rating.given(history).when(cancelled('e-x', '2027-01-08T09:00:00.001Z')).thenNothing();
    });

    it('renews a P2Y upfront for the whole new term: 1140.00', () => {
      rating.given(bought('P2Y', 'upfront')).when(renewed('e-r', '2029-01-05', '2031-01-04', 3)).then([line('renew', ['2029-01-05', '2031-01-04'], 3, '380.00', '380.00', '1140.00')]);
    });
  });

  describe('a leap day inside a multi-year term', () => {
    it('prorates a P2Y upfront over its 731 days: a seat added on 2028-02-29 pays 366 of them, ⌊38000 × 366 / 731⌋ = 190.25', () => {
      rating.given(bought('P2Y', 'upfront', '2027-03-01')).when(seatsChanged('e-s', '2028-02-29T12:00:00.000Z', 4, 3)).then([line('addQuantity', ['2028-02-29', '2029-02-28'], 1, '380.00', '190.25', '190.25')]);
    });

    it('ends the first year of a P2Y billed annually on the leap day, so a seat added then pays one of its 366 days: ⌊38000 / (2 × 366)⌋ = 0.51', () => {
      const P2Y_ANNUAL = bought('P2Y', 'annual', '2027-03-01');
      rating.given(P2Y_ANNUAL).when(seatsChanged('e-s', '2028-02-29T12:00:00.000Z', 4, 3)).then([line('addQuantity', ['2028-02-29', '2028-02-29'], 1, '380.00', '0.51', '0.51')]);
      rating.given(P2Y_ANNUAL).when(cycleStarted('e-c1', '2028-03-01', '2029-02-28', 3)).then([line('cycleCharge', ['2028-03-01', '2029-02-28'], 3, '380.00', '190.00', '570.00')]);
    });
  });
});

// --- changes at renewal (SPEC §13) ------------------------------------------------------------------------

/**
 * A renewal that applied scheduled instructions names the new term's plan, length, billing and price:
 * the `renew` line is charged for those. Prices are config/catalog.development.json's Fabrikam CRM:
 * standard 12.00 a month or 120.00 a year, enterprise 30.00 a month or 300.00 a year, per seat.
 */
describe('rating: changes at renewal', () => {
  /** 5 seats of standard, P1M billed monthly, billed from 2025-03-11: 5 × 12.00 = 60.00. */
  const FIVE_STANDARD = [purchased({ offerId: 'fabrikam-crm', quantity: 5 }), billingStarted({ quantity: 5, chargedAmount: '60.00' })];
  const renewedAs = (
    id: string,
    termStart: string,
    termEnd: string,
    quantity: number,
    next: { planId: string; termDuration: TermDuration; billingCycle: BillingCycle; unitPrice: string },
  ): RatableEvent =>
    stored(id, `${termStart}T00:00:00.000Z`, {
      type: 'SubscriptionRenewed',
      data: { operationId: `op-${id}`, termStart, termEnd, quantity, chargedAmount: '0.00', renewedAt: `${termStart}T00:00:00.000Z`, ...next },
    });
  const ENTERPRISE_MONTH = { planId: 'enterprise', termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00' } as const;

  it('charges a monthly 5-seat standard renewed as 8 seats of enterprise for 8 × 30.00 = 240.00, on enterprise', () => {
    rating
      .given(FIVE_STANDARD)
      .when(renewedAs('e-r', '2025-04-11', '2025-05-10', 8, ENTERPRISE_MONTH))
      .then([
        line('renew', ['2025-04-11', '2025-05-10'], 8, '30.00', '30.00', '240.00', {
          planId: 'enterprise',
          termDuration: 'P1M',
          billingCycle: 'monthly',
          termAndBillingCycle: '1 Month Subscription, Monthly billing',
          termStartDate: '2025-04-11',
          termEndDate: '2025-05-10',
        }),
      ]);
  });

  it('charges nothing for the plan and seat operations the renewal records', () => {
    const history = [...FIVE_STANDARD, renewedAs('e-r', '2025-04-11', '2025-05-10', 8, ENTERPRISE_MONTH)];
    const applied = stored('e-a', '2025-04-11T00:00:00.000Z', {
      type: 'NextTermChangeApplied',
      data: { operationId: 'op-a', action: 'ChangePlan', planId: 'enterprise', previousPlanId: 'standard', quantity: 8, previousQuantity: 5, appliedAt: '2025-04-11T00:00:00.000Z' },
    });
    rating.given(history).when(applied).thenNothing();
  });

  it('keeps the new plan and price for the renewals after, and credits and prorates on them', () => {
    const history = [...FIVE_STANDARD, renewedAs('e-r', '2025-04-11', '2025-05-10', 8, ENTERPRISE_MONTH)];
    rating.given(history).when(renewed('e-r2', '2025-05-11', '2025-06-10', 8)).then([line('renew', ['2025-05-11', '2025-06-10'], 8, '30.00', '30.00', '240.00', { planId: 'enterprise' })]);
    // Two seats more on 2025-04-26, 15 of the cycle's 30 days left: 30.00 × 15 / 30 = 15.00 a seat.
    rating
      .given(history)
      .when(seatsChanged('e-s', '2025-04-26T10:00:00.000Z', 10, 8))
      .then([line('addQuantity', ['2025-04-26', '2025-05-10'], 2, '30.00', '15.00', '30.00', { planId: 'enterprise' })]);
  });

  it('charges a P1M renewed as P1Y billed annually for the whole year: 5 × 120.00 = 600.00', () => {
    rating
      .given(FIVE_STANDARD)
      .when(renewedAs('e-r', '2025-04-11', '2026-04-10', 5, { planId: 'standard', termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '120.00' }))
      .then([
        line('renew', ['2025-04-11', '2026-04-10'], 5, '120.00', '120.00', '600.00', {
          planId: 'standard',
          termDuration: 'P1Y',
          billingCycle: 'annual',
          termAndBillingCycle: '1 Year Subscription, Annual billing',
          billingCycleStartDate: '2025-04-11',
          billingCycleEndDate: '2026-04-10',
        }),
      ]);
  });

  it('charges a P1M renewed as P1Y billed monthly a twelfth a month: 5 × 10.00 = 50.00, then each later month likewise', () => {
    const history = [...FIVE_STANDARD, renewedAs('e-r', '2025-04-11', '2026-04-10', 5, { planId: 'standard', termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00' })];
    expect(rate(history).slice(1).map(formatChargeLine)).toEqual([
      expect.objectContaining(line('renew', ['2025-04-11', '2025-05-10'], 5, '120.00', '10.00', '50.00', { termAndBillingCycle: '1 Year Subscription, Monthly billing' })),
    ]);
    rating
      .given(history)
      .when(cycleStarted('e-c', '2025-05-11', '2025-06-10', 5))
      .then([line('cycleCharge', ['2025-05-11', '2025-06-10'], 5, '120.00', '10.00', '50.00', { termEndDate: '2026-04-10' })]);
  });

  it('agrees with what the decider says the renewal charged: 12 seats of enterprise for a month, 12 × 30.00 = 360.00', () => {
    const plans: C.CatalogPlan[] = [
      { id: 'standard', minQuantity: 1, maxQuantity: 500, isPrivate: false, isPricePerSeat: true, prices: [{ termDuration: 'P1M', unitPrice: '12.00', currency: 'USD' }] },
      { id: 'enterprise', minQuantity: 10, maxQuantity: 10_000, isPrivate: false, isPricePerSeat: true, prices: [{ termDuration: 'P1M', unitPrice: '30.00', currency: 'USD' }] },
    ];
    const before = FIVE_STANDARD.reduce(subscriptionDecider.evolve, subscriptionDecider.initialState());
    const commands: C.SubscriptionCommand[] = [
      {
        type: 'ScheduleNextTerm',
        data: { instructions: { planId: 'enterprise', quantity: 12 }, plans, terms: [{ termDuration: 'P1M', billingCycles: ['monthly'] }], now: '2025-03-20T12:00:00.000Z' },
      },
      { type: 'RenewSubscription', data: { operationId: 'op-r', termEnd: '2025-04-10', now: renewalDueAt('2025-04-10'), changeOperationIds: { changePlan: 'op-p', changeQuantity: 'op-q' } } },
    ];
    const decided = decideAll(subscriptionDecider, commands, before);
    const history = [...FIVE_STANDARD, ...decided.map((event, i) => stored(`e-${i}`, '2025-04-11T00:00:00.000Z', event))];
    const renewal = decided.find((event) => event.type === 'SubscriptionRenewed');
    expect(renewal?.data).toMatchObject({ chargedAmount: '360.00' });
    expect(rate(history).map(formatChargeLine).map(({ chargeType, planId, quantity, amount }) => ({ chargeType, planId, quantity, amount }))).toEqual([
      { chargeType: 'new', planId: 'standard', quantity: 5, amount: '60.00' },
      { chargeType: 'renew', planId: 'enterprise', quantity: 12, amount: '360.00' },
    ]);
  });
});
