import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import { RatableEvent, rate } from '../billing/rating';
import { formatChargeLine } from '../billing/charge-line';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import type * as E from './subscription.events';
import type { SubscriptionEvent } from './subscription.events';

/** Free trials (SPEC §13): a month at 0.00, then the paid term bought, unless auto-renew is off. */
const spec = DeciderSpecification.for(subscriptionDecider);

const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
const WINDOW_CLOSES = '2025-03-13T09:00:00.000Z';
const CONVERTED_AT = '2025-04-10T00:00:00.000Z';

const purchased = (overrides: Partial<E.SubscriptionPurchasedData> = {}): E.SubscriptionPurchased =>
  subscriptionPurchased({
    planId: 'starter',
    quantity: 3,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    unitPrice: '10.00',
    purchasedAt: PURCHASED_AT,
    cancellationAllowedUntil: WINDOW_CLOSES,
    freeTrial: { duration: 'P1M' },
    ...overrides,
  });
const trialStarted: E.BillingStarted = {
  type: 'BillingStarted',
  data: { termStart: '2025-03-10', termEnd: '2025-04-09', quantity: 3, unitPrice: '0.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '0.00' },
};
const licensed: SubscriptionEvent[] = [
  { type: 'PublisherActivated', data: { assignedSeats: 3 } },
  { type: 'FulfillmentConfirmed', data: { planId: 'starter', quantity: 3 } },
];
const IN_TRIAL: SubscriptionEvent[] = [purchased(), ...licensed, trialStarted];

const purchase = (freeTrial: C.PurchaseSubscription['data']['freeTrial']): C.PurchaseSubscription => ({
  type: 'PurchaseSubscription',
  data: {
    subscriptionId: '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10',
    customerId: 'customer-1',
    partnerId: 'partner-1',
    orderId: 'order-1',
    lineItemNumber: 1,
    offerId: 'contoso-crm',
    offerName: 'Contoso CRM',
    planId: 'starter',
    publisherId: 'contoso',
    publisherName: 'Contoso',
    quantity: 3,
    limits: { minQuantity: 1, maxQuantity: 50 },
    termDuration: 'P1M',
    billingCycle: 'monthly',
    friendlyName: 'Trial',
    indirectResellerId: null,
    unitPrice: '10.00',
    currency: 'USD',
    cancellationWindowMs: 72 * 3_600_000,
    testClockId: null,
    freeTrial,
    now: PURCHASED_AT,
  },
});
const renew = (termEnd = '2025-04-09', now = CONVERTED_AT): C.RenewSubscription => ({ type: 'RenewSubscription', data: { operationId: 'op-renew', now, termEnd } });
const converted = (overrides: Partial<E.TrialConverted['data']> = {}): E.TrialConverted => ({
  type: 'TrialConverted',
  data: { unitPrice: '10.00', convertedAt: CONVERTED_AT, cancellationAllowedUntil: '2025-04-13T00:00:00.000Z', ...overrides },
});

describe('free trials', () => {
  it('records the plan’s trial on the purchase, and only then', () => {
    expect(subscriptionDecider.decide(purchase({ duration: 'P1M' }), subscriptionDecider.initialState())[0].data).toMatchObject({ freeTrial: { duration: 'P1M' } });
    expect(subscriptionDecider.decide(purchase(null), subscriptionDecider.initialState())[0].data).not.toHaveProperty('freeTrial');
    expect(spec.given([purchased()]).state()).toMatchObject({ isFreeTrial: true, freeTrial: { duration: 'P1M' } });
  });

  it('starts billing with the trial as the first term, at 0.00', () => {
    spec.given([purchased(), ...licensed]).when({ type: 'StartBilling', data: { now: '2025-03-10T09:05:00.000Z' } }).then([trialStarted]);
  });

  it('makes the trial of a year bought annually a month, then converts to the year at its price', () => {
    const yearly = [purchased({ termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '100.00', cancellationAllowedUntil: '2025-03-24T09:00:00.000Z' }), ...licensed];
    spec
      .given(yearly)
      .when({ type: 'StartBilling', data: { now: '2025-03-10T09:05:00.000Z' } })
      .then([{ ...trialStarted, data: { ...trialStarted.data, billingCycle: 'annual' } }]);
    spec
      .given([...yearly, { ...trialStarted, data: { ...trialStarted.data, billingCycle: 'annual' } }])
      .when(renew())
      .then([
        converted({ unitPrice: '100.00', cancellationAllowedUntil: '2025-04-24T00:00:00.000Z' }),
        {
          type: 'SubscriptionRenewed',
          data: { operationId: 'op-renew', termStart: '2025-04-10', termEnd: '2026-04-09', quantity: 3, chargedAmount: '300.00', renewedAt: CONVERTED_AT },
        },
      ]);
  });

  it('converts at the trial’s end: paid from then, with the paid term’s window counted from the conversion', () => {
    spec
      .given(IN_TRIAL)
      .when(renew())
      .then([
        converted(),
        {
          type: 'SubscriptionRenewed',
          data: { operationId: 'op-renew', termStart: '2025-04-10', termEnd: '2025-05-09', quantity: 3, chargedAmount: '30.00', renewedAt: CONVERTED_AT },
        },
      ]);
    expect(spec.given([...IN_TRIAL, converted()]).state()).toMatchObject({
      isFreeTrial: false,
      cancellationAllowedUntil: '2025-04-13T00:00:00.000Z',
      billing: { unitPrice: '10.00' },
    });
  });

  it('ends at the trial’s end when auto-renew is off', () => {
    spec
      .given([...IN_TRIAL, { type: 'AutoRenewDisabled', data: {} }])
      .when(renew())
      .then([{ type: 'SubscriptionExpired', data: { operationId: 'op-renew', termEnd: '2025-04-09', expiredAt: CONVERTED_AT } }]);
  });

  it('is cancellable at any time during the trial, with nothing to refund; after conversion the window applies again', () => {
    const late = '2025-04-01T12:00:00.000Z';
    spec
      .given(IN_TRIAL)
      .when({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: 'op-cancel', now: late } })
      .then([{ type: 'Cancelled', data: { cancelledAt: late, requestedBy: 'Partner', refund: null, operationId: 'op-cancel', abandonedOperationId: null } }]);
    const renewed: E.SubscriptionRenewed = {
      type: 'SubscriptionRenewed',
      data: { operationId: 'op-renew', termStart: '2025-04-10', termEnd: '2025-05-09', quantity: 3, chargedAmount: '30.00', renewedAt: CONVERTED_AT },
    };
    spec
      .given([...IN_TRIAL, converted(), renewed])
      .when({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: 'op-cancel', now: '2025-04-13T00:00:00.001Z' } })
      .thenThrows('cancellation-window-closed', 'rule');
    spec
      .given([...IN_TRIAL, converted(), renewed])
      .when({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: 'op-cancel', now: '2025-04-12T00:00:00.000Z' } })
      .then([
        {
          type: 'Cancelled',
          data: { cancelledAt: '2025-04-12T00:00:00.000Z', requestedBy: 'Partner', refund: { amount: '30.00', currency: 'USD' }, operationId: 'op-cancel', abandonedOperationId: null },
        },
      ]);
  });

  it('refuses a plan change during the trial; seats may change', () => {
    const plan: C.CatalogPlan = { id: 'team', minQuantity: 1, maxQuantity: 100, isPrivate: false, isPricePerSeat: true };
    spec
      .given(IN_TRIAL)
      .when({ type: 'ChangePlan', data: { planId: 'team', plan, operationId: 'op-plan', requestedBy: 'Publisher', now: '2025-03-20T00:00:00.000Z' } })
      .thenThrows('subscription-in-free-trial', 'rule');
    spec
      .given(IN_TRIAL)
      .when({ type: 'ChangeSeats', data: { quantity: 5, limits: { minQuantity: 1, maxQuantity: 50 }, operationId: 'op-seats', requestedBy: 'Partner', now: '2025-03-20T00:00:00.000Z' } })
      .then([{ type: 'SeatChangeRequested', data: { operationId: 'op-seats', quantity: 5, previousQuantity: 3, requestedBy: 'Partner', requestedAt: '2025-03-20T00:00:00.000Z' } }]);
  });

  it('never starts a trial by a plan change: a plan with a free trial is not one to move to', () => {
    const team = [
      purchased({ planId: 'team', freeTrial: undefined }),
      ...licensed,
      { ...trialStarted, data: { ...trialStarted.data, unitPrice: '10.00', chargedAmount: '30.00' } },
    ] as SubscriptionEvent[];
    const starterPlan: C.CatalogPlan = { id: 'starter', minQuantity: 1, maxQuantity: 50, isPrivate: false, isPricePerSeat: true, freeTrial: { duration: 'P1M' } };
    spec
      .given(team)
      .when({ type: 'ChangePlan', data: { planId: 'starter', plan: starterPlan, operationId: 'op-plan', requestedBy: 'Publisher', now: '2025-03-20T00:00:00.000Z' } })
      .thenThrows('plan-not-available', 'validation');
  });

  it('rates a 0.00 new line for the trial and a paid renew line for the first paid term', () => {
    const renewed: E.SubscriptionRenewed = {
      type: 'SubscriptionRenewed',
      data: { operationId: 'op-renew', termStart: '2025-04-10', termEnd: '2025-05-09', quantity: 3, chargedAmount: '30.00', renewedAt: CONVERTED_AT },
    };
    const history: RatableEvent[] = [...IN_TRIAL, converted(), renewed].map((event, index) => ({ ...event, id: `event-${index}`, occurredAt: index < 4 ? PURCHASED_AT : CONVERTED_AT }));
    expect(rate(history).map(formatChargeLine).map(({ chargeType, quantity, unitPrice, amount, chargeStartDate, chargeEndDate }) => ({ chargeType, quantity, unitPrice, amount, chargeStartDate, chargeEndDate }))).toEqual([
      { chargeType: 'new', quantity: 3, unitPrice: '0.00', amount: '0.00', chargeStartDate: '2025-03-10', chargeEndDate: '2025-04-09' },
      { chargeType: 'renew', quantity: 3, unitPrice: '10.00', amount: '30.00', chargeStartDate: '2025-04-10', chargeEndDate: '2025-05-09' },
    ]);
  });
});
