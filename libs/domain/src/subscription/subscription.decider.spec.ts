import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import { renewalDueAt } from './subscription.timers';
import type * as E from './subscription.events';
import type { BlockableOperation, Requester, SubscriptionEvent } from './subscription.events';

const spec = DeciderSpecification.for(subscriptionDecider);

const SUBSCRIPTION_ID = '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10';
const LIMITS: C.PlanLimits = { minQuantity: 1, maxQuantity: 300 };
const HOURS_72 = 72 * 3_600_000;
const DAYS_14 = 14 * 86_400_000;

const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
const WINDOW_CLOSES = '2025-03-13T09:00:00.000Z';
const BILLING_NOW = '2025-03-11T23:59:59.999Z';
const NOW = '2025-03-12T08:00:00.000Z';
const AFTER_WINDOW = '2025-03-13T09:00:00.001Z';
const LATER = '2025-04-02T12:00:00.000Z';

const PENDING_OP = 'op-1';
const CANCEL_OP = '5b1e3c2a-9d8f-4e7b-a6c5-0f1e2d3c4b5a';
const NEW_OP = 'op-2';
const RENEW_OP = 'op-renew';
const SIGNED = '2025-03-12T07:00:00.000Z';
const ACTION = { reason: 'Verify the tenant domain', url: 'https://contoso.example/verify', signedAt: SIGNED };

/** The offer's plans as the catalog has them: the subscription is on `standard` with 10 seats, which `starter` cannot hold. */
const STANDARD: C.CatalogPlan = { id: 'standard', ...LIMITS, isPrivate: false, isPricePerSeat: true };
const PREMIUM: C.CatalogPlan = { id: 'premium', minQuantity: 5, maxQuantity: 500, isPrivate: false, isPricePerSeat: true };
const ENTERPRISE: C.CatalogPlan = { id: 'enterprise', minQuantity: 10, maxQuantity: 1000, isPrivate: false, isPricePerSeat: true };
const STARTER: C.CatalogPlan = { id: 'starter', minQuantity: 1, maxQuantity: 5, isPrivate: false, isPricePerSeat: true };
const PRIVATE: C.CatalogPlan = { id: 'partner-only', ...LIMITS, isPrivate: true, isPricePerSeat: true };
const PLANS: readonly C.CatalogPlan[] = [STANDARD, PREMIUM, ENTERPRISE, STARTER, PRIVATE];

const TERM_END = '2025-04-10';
const TERM_DUE = '2025-04-11T00:00:00.000Z';

// --- events -----------------------------------------------------------------------------------

const purchased = (overrides: Partial<E.SubscriptionPurchasedData> = {}): E.SubscriptionPurchased =>
  subscriptionPurchased({ subscriptionId: SUBSCRIPTION_ID, purchasedAt: PURCHASED_AT, cancellationAllowedUntil: WINDOW_CLOSES, ...overrides });
const licensesAssigned = (assignedSeats = 10): E.PublisherActivated => ({ type: 'PublisherActivated', data: { assignedSeats } });
const fulfillmentConfirmed = (quantity = 10): E.FulfillmentConfirmed => ({
  type: 'FulfillmentConfirmed',
  data: { planId: 'standard', quantity },
});
const billingStarted = (overrides: Partial<E.BillingStarted['data']> = {}): E.BillingStarted => ({
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
const seatChangeRequested = (overrides: Partial<E.SeatChangeRequested['data']> = {}): E.SeatChangeRequested => ({
  type: 'SeatChangeRequested',
  data: { operationId: PENDING_OP, quantity: 15, previousQuantity: 10, requestedBy: 'Partner', requestedAt: NOW, ...overrides },
});
const seatsChanged = (overrides: Partial<E.SeatsChanged['data']> = {}): E.SeatsChanged => ({
  type: 'SeatsChanged',
  data: { quantity: 15, previousQuantity: 10, operationId: PENDING_OP, changedAt: NOW, ...overrides },
});
const seatChangeRejected = (overrides: Partial<E.SeatChangeRejected['data']> = {}): E.SeatChangeRejected => ({
  type: 'SeatChangeRejected',
  data: { operationId: PENDING_OP, quantity: 15, reason: 'Not enough licences', rejectedAt: NOW, ...overrides },
});
const actionRequired = (blockedOperations: string[]): E.PublisherActionRequired => ({
  type: 'PublisherActionRequired',
  data: { ...ACTION, blockedOperations },
});
const actionResolved: E.PublisherActionResolved = { type: 'PublisherActionResolved', data: { signedAt: SIGNED } };
const autoRenewDisabled: E.AutoRenewDisabled = { type: 'AutoRenewDisabled', data: {} };
const resellerAssigned = (mpnId: string): E.IndirectResellerAssigned => ({
  type: 'IndirectResellerAssigned',
  data: { mpnId, previousMpnId: null },
});
const planChangeRequested = (overrides: Partial<E.PlanChangeRequested['data']> = {}): E.PlanChangeRequested => ({
  type: 'PlanChangeRequested',
  data: { operationId: PENDING_OP, planId: 'premium', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: NOW, ...overrides },
});
const renewed = (overrides: Partial<E.SubscriptionRenewed['data']> = {}): E.SubscriptionRenewed => ({
  type: 'SubscriptionRenewed',
  data: { operationId: RENEW_OP, termStart: '2025-04-11', termEnd: '2025-05-10', quantity: 10, chargedAmount: '120.00', renewedAt: TERM_DUE, ...overrides },
});
const cancelled = (overrides: Partial<E.Cancelled['data']> = {}): E.Cancelled => ({
  type: 'Cancelled',
  data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: CANCEL_OP, abandonedOperationId: null, ...overrides },
});

// --- commands ---------------------------------------------------------------------------------

const purchase = (overrides: Partial<C.PurchaseSubscription['data']> = {}): C.PurchaseSubscription => {
  const { type: _type, data } = purchased();
  const { autoRenewEnabled: _auto, purchasedAt: _at, cancellationAllowedUntil: _until, ...fields } = data;
  return {
    type: 'PurchaseSubscription',
    data: {
      ...fields,
      testClockId: null,
      friendlyName: '  CRM for Fabrikam  ',
      limits: LIMITS,
      cancellationWindowMs: HOURS_72,
      now: PURCHASED_AT,
      ...overrides,
    },
  };
};
const rename = (friendlyName: string): C.RenameSubscription => ({ type: 'RenameSubscription', data: { friendlyName } });
const changeSeats = (quantity: number, overrides: Partial<C.ChangeSeats['data']> = {}): C.ChangeSeats => ({
  type: 'ChangeSeats',
  data: { quantity, limits: LIMITS, operationId: NEW_OP, requestedBy: 'Partner', now: NOW, ...overrides },
});
const changePlan = (planId: string, overrides: Partial<C.ChangePlan['data']> = {}): C.ChangePlan => ({
  type: 'ChangePlan',
  data: { planId, plan: PLANS.find((plan) => plan.id === planId) ?? null, operationId: NEW_OP, requestedBy: 'Publisher', now: NOW, ...overrides },
});
const changeSubscription = (
  change: { planId?: string; quantity?: number },
  overrides: Partial<C.ChangeSubscription['data']> = {},
): C.ChangeSubscription => ({
  type: 'ChangeSubscription',
  data: {
    planId: change.planId ?? null,
    quantity: change.quantity ?? null,
    plans: PLANS,
    operationId: NEW_OP,
    requestedBy: 'Publisher',
    now: NOW,
    ...overrides,
  },
});
const disableAutoRenew: C.DisableAutoRenew = { type: 'DisableAutoRenew', data: {} };
const enableAutoRenew: C.EnableAutoRenew = { type: 'EnableAutoRenew', data: {} };
const assignReseller = (mpnId: string): C.AssignIndirectReseller => ({ type: 'AssignIndirectReseller', data: { mpnId } });
const removeReseller: C.RemoveIndirectReseller = { type: 'RemoveIndirectReseller', data: {} };
const cancel = (now = NOW, requestedBy: Requester = 'Partner'): C.CancelSubscription => ({
  type: 'CancelSubscription',
  data: { requestedBy, operationId: CANCEL_OP, now },
});
const recordLicenses = (assignedSeats: number): C.RecordLicensesAssigned => ({
  type: 'RecordLicensesAssigned',
  data: { assignedSeats },
});
const confirmFulfillment = (planId = 'standard', quantity: number | null = 10, pricedPerSeat = true): C.ConfirmFulfillment => ({
  type: 'ConfirmFulfillment',
  data: { planId, quantity, pricedPerSeat },
});
const startBilling = (now = BILLING_NOW): C.StartBilling => ({ type: 'StartBilling', data: { now } });
const requireAction = (overrides: Partial<C.RequirePublisherAction['data']> = {}): C.RequirePublisherAction => ({
  type: 'RequirePublisherAction',
  data: { ...ACTION, blockedOperations: ['cancel'], ...overrides },
});
const resolveAction: C.ResolvePublisherAction = { type: 'ResolvePublisherAction', data: { signedAt: SIGNED } };
const acceptSeatChange = (operationId = PENDING_OP, overrides: Partial<C.AcceptOperation['data']> = {}): C.AcceptOperation => ({
  type: 'AcceptOperation',
  data: { operationId, now: LATER, answeredBy: 'Publisher', ...overrides },
});
const rejectSeatChange = (operationId = PENDING_OP, overrides: Partial<C.RejectOperation['data']> = {}): C.RejectOperation => ({
  type: 'RejectOperation',
  data: { operationId, reason: 'Not enough licences', now: LATER, answeredBy: 'Publisher', ...overrides },
});
/** The operations queue's answer when the publisher said nothing within the window. */
const timedOut = (operationId = PENDING_OP): C.AcceptOperation => acceptSeatChange(operationId, { answeredBy: 'Timeout' });
/** The publisher refused the change in its answer to the webhook notification. */
const refusedOnNotification = (operationId = PENDING_OP): C.RejectOperation => rejectSeatChange(operationId, { answeredBy: 'Notification' });
const renew = (now = TERM_DUE, termEnd = TERM_END): C.RenewSubscription => ({
  type: 'RenewSubscription',
  data: { operationId: RENEW_OP, now, termEnd },
});

// --- histories --------------------------------------------------------------------------------

const PENDING: SubscriptionEvent[] = [purchased()];
const ACTIVE: SubscriptionEvent[] = [purchased(), licensesAssigned(), fulfillmentConfirmed(), billingStarted()];
const WITH_PENDING_OPERATION: SubscriptionEvent[] = [...ACTIVE, seatChangeRequested()];
const withAction = (blockedOperations: BlockableOperation[]): SubscriptionEvent[] => [
  ...ACTIVE,
  actionRequired(blockedOperations),
];
const deletedAfter = (...history: SubscriptionEvent[]): SubscriptionEvent[] => [purchased(), ...history, cancelled()];

const NAME_128 = 'n'.repeat(128);
const NAME_129 = 'n'.repeat(129);
/** Characters outside the Basic Multilingual Plane: each is two UTF-16 units, one character. */
const EMOJI_128 = '😀'.repeat(128);
const EMOJI_129 = '😀'.repeat(129);

describe('subscription decider', () => {
  describe('with no subscription', () => {
    it('records a purchase with auto-renew on, dated now, cancellable until now plus the window', () => {
      spec.when(purchase()).then([purchased()]);
    });

    it('sets cancellationAllowedUntil from the window the command carries (14 days for a P1Y term)', () => {
      spec
        .when(purchase({ termDuration: 'P1Y', billingCycle: 'annual', cancellationWindowMs: DAYS_14 }))
        .then([purchased({ termDuration: 'P1Y', billingCycle: 'annual', cancellationAllowedUntil: '2025-03-24T09:00:00.000Z' })]);
    });

    it('stores the friendly name trimmed', () => {
      spec.when(purchase({ friendlyName: '\t CRM for Fabrikam \n' })).then([purchased()]);
    });

    it('accepts a friendly name of 128 characters after trimming', () => {
      spec.when(purchase({ friendlyName: `  ${NAME_128}  ` })).then([purchased({ friendlyName: NAME_128 })]);
    });

    it('counts characters, not UTF-16 units: 128 emoji are a friendly name of 128 characters', () => {
      spec.when(purchase({ friendlyName: EMOJI_128 })).then([purchased({ friendlyName: EMOJI_128 })]);
    });

    it.each([
      ['129 characters', NAME_129],
      ['129 emoji', EMOJI_129],
      ['empty', ''],
      ['whitespace only', ' \t\n '],
    ])('refuses a friendly name that is %s', (_case, friendlyName) => {
      spec.when(purchase({ friendlyName })).thenThrows('invalid-friendly-name', 'validation');
    });

    it.each([1, 300])('accepts a quantity of %p, at the plan limit', (quantity) => {
      spec.when(purchase({ quantity })).then([purchased({ quantity })]);
    });

    it.each([0, 301, 2.5, -1, Number.NaN])('refuses a quantity of %p', (quantity) => {
      const error = spec.when(purchase({ quantity })).thenThrows('quantity-out-of-range', 'validation');
      expect(error.extensions).toEqual({ minQuantity: 1, maxQuantity: 300 });
    });

    it('refuses a P1M term billed annually', () => {
      spec.when(purchase({ billingCycle: 'annual' })).thenThrows('invalid-billing-cycle', 'validation');
    });

    it.each<E.BillingCycle>(['monthly', 'annual'])('accepts a P1Y term billed %s', (billingCycle) => {
      spec
        .when(purchase({ termDuration: 'P1Y', billingCycle }))
        .then([purchased({ termDuration: 'P1Y', billingCycle })]);
    });

    it.each(['123456', '1234567890'])('accepts the indirect reseller MPN ID %p', (indirectResellerId) => {
      spec.when(purchase({ indirectResellerId })).then([purchased({ indirectResellerId })]);
    });

    it.each(['12345', '12345678901', '12345a', ' 123456', '123 456', ''])('refuses the MPN ID %p', (indirectResellerId) => {
      spec.when(purchase({ indirectResellerId })).thenThrows('invalid-mpn-id', 'validation');
    });

    it.each<C.SubscriptionCommand>([
      rename('New name'),
      changeSeats(15),
      changePlan('premium'),
      changeSubscription({ quantity: 15 }),
      disableAutoRenew,
      enableAutoRenew,
      assignReseller('1234567'),
      removeReseller,
      cancel(),
      recordLicenses(10),
      confirmFulfillment(),
      startBilling(),
      requireAction(),
      resolveAction,
      acceptSeatChange(),
      rejectSeatChange(),
    ])('refuses $type as subscription-not-found', (command) => {
      spec.when(command).thenThrows('subscription-not-found', 'not-found');
    });

    it.each([timedOut(), refusedOnNotification()])('treats $type answered by $data.answeredBy as a no-op: there is no operation to finish', (command) => {
      spec.when(command).thenNothing();
    });

    it('treats a renewal as a no-op: there is no term to renew', () => {
      spec.when(renew()).thenNothing();
    });
  });

  describe('pending (billing not started)', () => {
    const given = spec.given(PENDING);

    it('treats a repeat of the same order line as a no-op, whatever else it carries', () => {
      given.when(purchase({ quantity: 99, friendlyName: 'Other' })).thenNothing();
    });

    it.each([
      ['another order', { orderId: 'order-2' }],
      ['another line item', { lineItemNumber: 2 }],
    ])('refuses a purchase from %s on the same subscription id', (_case, overrides) => {
      given.when(purchase(overrides)).thenThrows('subscription-exists', 'conflict');
    });

    it('renames, trimmed, remembering the previous name', () => {
      given
        .when(rename('  CRM for Contoso  '))
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: 'CRM for Contoso', previousFriendlyName: 'CRM for Fabrikam' } }]);
    });

    it('accepts a new name of 128 characters', () => {
      given
        .when(rename(NAME_128))
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: NAME_128, previousFriendlyName: 'CRM for Fabrikam' } }]);
    });

    it('accepts a new name of 128 emoji (128 characters, 256 UTF-16 units)', () => {
      given
        .when(rename(EMOJI_128))
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: EMOJI_128, previousFriendlyName: 'CRM for Fabrikam' } }]);
    });

    it('treats renaming to the same name (after trimming) as a no-op', () => {
      given.when(rename(' CRM for Fabrikam ')).thenNothing();
    });

    it.each([
      ['129 characters', NAME_129],
      ['129 emoji', EMOJI_129],
      ['whitespace only', '   '],
    ])('refuses a new name that is %s', (_case, name) => {
      given.when(rename(name)).thenThrows('invalid-friendly-name', 'validation');
    });

    it('changes seats at once for the Partner, without an operation', () => {
      given.when(changeSeats(25)).then([seatsChanged({ quantity: 25, previousQuantity: 10, operationId: null, changedAt: NOW })]);
    });

    it('refuses a Publisher seat change until billing started (the fulfillment API changes Subscribed subscriptions only)', () => {
      given.when(changeSeats(25, { requestedBy: 'Publisher' })).thenThrows('subscription-not-active', 'validation');
    });

    it('treats a change to the current quantity as a no-op', () => {
      given.when(changeSeats(10)).thenNothing();
    });

    it.each([0, 301, 12.5])('refuses a seat change to %p', (quantity) => {
      given.when(changeSeats(quantity)).thenThrows('quantity-out-of-range', 'validation');
    });

    it.each([
      ['the current quantity (otherwise a no-op)', 10],
      ['a quantity out of any range', 0],
    ])('refuses a seat change to %s once the plan is no longer in the catalog, before anything else', (_case, quantity) => {
      const error = given.when(changeSeats(quantity, { limits: null })).thenThrows('plan-withdrawn', 'rule');
      expect(error.extensions).toEqual({ planId: 'standard' });
      expect(error.message).toBe('Plan standard is no longer in the catalog, so its seat limits are unknown and the seats cannot change.');
    });

    it('refuses a plan change until billing started, as subscription-not-active', () => {
      given.when(changePlan('premium')).thenThrows('subscription-not-active', 'validation');
    });

    it('disables auto-renew', () => {
      given.when(disableAutoRenew).then([{ type: 'AutoRenewDisabled', data: {} }]);
    });

    it('treats enabling auto-renew while it is on as a no-op', () => {
      given.when(enableAutoRenew).thenNothing();
    });

    it('enables auto-renew again after it was disabled', () => {
      spec
        .given([...PENDING, autoRenewDisabled])
        .when(enableAutoRenew)
        .then([{ type: 'AutoRenewEnabled', data: {} }]);
    });

    it('treats disabling auto-renew while it is off as a no-op', () => {
      spec.given([...PENDING, autoRenewDisabled]).when(disableAutoRenew).thenNothing();
    });

    it('assigns an indirect reseller', () => {
      given
        .when(assignReseller('1234567'))
        .then([{ type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } }]);
    });

    it('replaces the indirect reseller, remembering the previous one', () => {
      spec
        .given([...PENDING, resellerAssigned('1234567')])
        .when(assignReseller('7654321'))
        .then([{ type: 'IndirectResellerAssigned', data: { mpnId: '7654321', previousMpnId: '1234567' } }]);
    });

    it('treats assigning the current indirect reseller as a no-op', () => {
      spec.given([purchased({ indirectResellerId: '1234567' })]).when(assignReseller('1234567')).thenNothing();
    });

    it('removes the indirect reseller', () => {
      spec
        .given([...PENDING, resellerAssigned('1234567')])
        .when(removeReseller)
        .then([{ type: 'IndirectResellerRemoved', data: { mpnId: '1234567' } }]);
    });

    it('treats removing an absent indirect reseller as a no-op', () => {
      given.when(removeReseller).thenNothing();
    });

    it.each(['12345', '12345678901', 'abcdef', '1234-567'])('refuses the MPN ID %p', (mpnId) => {
      given.when(assignReseller(mpnId)).thenThrows('invalid-mpn-id', 'validation');
    });

    it('cancels inside the window with no refund, as nothing was charged', () => {
      given.when(cancel(NOW)).then([cancelled({ cancelledAt: NOW, refund: null })]);
    });

    it('cancels at the exact instant the window closes', () => {
      given.when(cancel(WINDOW_CLOSES)).then([cancelled({ cancelledAt: WINDOW_CLOSES })]);
    });

    it('refuses the partner a cancellation after the window, pointing to auto-renew instead', () => {
      const error = given.when(cancel(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
      expect(error.message).toMatch(/turn auto-renew off/i);
      expect(error.extensions).toEqual({ cancellationAllowedUntilDate: WINDOW_CLOSES });
    });

    it('lets the publisher cancel after the window, without refund', () => {
      given
        .when(cancel(AFTER_WINDOW, 'Publisher'))
        .then([cancelled({ cancelledAt: AFTER_WINDOW, requestedBy: 'Publisher', refund: null })]);
    });

    it.each([1, 10])('records %p assigned licenses as PublisherActivated', (seats) => {
      given.when(recordLicenses(seats)).then([licensesAssigned(seats)]);
    });

    it('treats licenses assigned a second time as a no-op, whatever the count', () => {
      spec.given([...PENDING, licensesAssigned(10)]).when(recordLicenses(4)).thenNothing();
    });

    it.each([0, 11, 2.5])('refuses %p assigned seats, outside 1 to the quantity', (seats) => {
      given.when(recordLicenses(seats)).thenThrows('invalid-assigned-seats', 'validation');
    });

    it('confirms fulfilment with the matching plan and quantity', () => {
      given.when(confirmFulfillment('standard', 10)).then([fulfillmentConfirmed(10)]);
    });

    it.each([
      ['plan', confirmFulfillment('premium', 10), { field: 'planId', expected: 'standard' }],
      ['quantity', confirmFulfillment('standard', 11), { field: 'quantity', expected: 10 }],
    ])('refuses fulfilment with a different %s', (_case, command, extensions) => {
      const error = given.when(command).thenThrows('fulfillment-mismatch', 'validation');
      expect(error.extensions).toEqual(extensions);
    });

    it('treats a repeated fulfilment confirmation as a no-op', () => {
      spec.given([...PENDING, fulfillmentConfirmed()]).when(confirmFulfillment()).thenNothing();
    });

    it('refuses fulfilment without a quantity when the plan is priced per seat', () => {
      const error = given.when(confirmFulfillment('standard', null, true)).thenThrows('quantity-required', 'validation');
      expect(error.field).toBe('quantity');
      expect(error.message).toBe('quantity is required: the plan is priced per seat.');
    });

    it('confirms fulfilment without a quantity for a plan not priced per seat, with the quantity bought', () => {
      given.when(confirmFulfillment('standard', null, false)).then([fulfillmentConfirmed(10)]);
    });

    it('still checks the plan when the quantity is left out', () => {
      const error = given.when(confirmFulfillment('premium', null, false)).thenThrows('fulfillment-mismatch', 'validation');
      expect(error.extensions).toEqual({ field: 'planId', expected: 'standard' });
    });

    it.each([
      ['neither licenses nor fulfilment', PENDING],
      ['only the licenses assigned', [...PENDING, licensesAssigned()]],
      ['only fulfilment confirmed', [...PENDING, fulfillmentConfirmed()]],
    ])('treats starting billing with %s as a no-op: billing conditions not yet met', (_case, history) => {
      spec.given(history).when(startBilling()).thenNothing();
    });

    it.each([
      ['licenses, then fulfilment', [...PENDING, licensesAssigned(), fulfillmentConfirmed()]],
      ['fulfilment, then licenses', [...PENDING, fulfillmentConfirmed(), licensesAssigned()]],
    ])('starts billing once both happened: %s', (_case, history) => {
      spec.given(history).when(startBilling()).then([billingStarted()]);
    });

    it.each([
      ['P1M billed monthly: the whole term', {}, {}],
      [
        'P1Y billed annually: the whole year',
        { termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '144.00' },
        { termEnd: '2026-03-10', billingCycle: 'annual', unitPrice: '144.00', chargedAmount: '1440.00' },
      ],
      [
        'P1Y billed monthly: a twelfth of the year per seat, rounded down to the cent (7 × 8.33)',
        { termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '99.99', quantity: 7 },
        { termEnd: '2026-03-10', unitPrice: '99.99', quantity: 7, chargedAmount: '58.31' },
      ],
    ] as const)('charges %s', (_case, purchase, billing) => {
      spec
        .given([purchased(purchase), licensesAssigned(1), fulfillmentConfirmed()])
        .when(startBilling('2025-03-11T00:00:00.000Z'))
        .then([billingStarted(billing)]);
    });

    it('bills the quantity as it stands after a seat change', () => {
      spec
        .given([...PENDING, licensesAssigned(), seatsChanged({ quantity: 12, operationId: null }), fulfillmentConfirmed(12)])
        .when(startBilling())
        .then([billingStarted({ quantity: 12, chargedAmount: '144.00' })]);
    });

    it('takes the term start from the UTC date of now', () => {
      spec
        .given([...PENDING, licensesAssigned(), fulfillmentConfirmed()])
        .when(startBilling('2025-01-31T23:59:59.999Z'))
        .then([billingStarted({ termStart: '2025-01-31', termEnd: '2025-02-27' })]);
    });

    it.each([acceptSeatChange('op-unknown'), rejectSeatChange('op-unknown')])(
      'refuses $type for an unknown operation',
      (command) => {
        given.when(command).thenThrows('operation-not-found', 'not-found');
      },
    );

    it.each([timedOut('op-unknown'), refusedOnNotification('op-unknown')])(
      'treats $type answered by $data.answeredBy for an unknown operation as a no-op',
      (command) => {
        given.when(command).thenNothing();
      },
    );

    it('treats a renewal as a no-op: no term has begun', () => {
      given.when(renew()).thenNothing();
    });
  });

  describe('active (billing started)', () => {
    const given = spec.given(ACTIVE);

    it('treats a repeat of the same order line as a no-op', () => {
      given.when(purchase()).thenNothing();
    });

    it('turns a partner seat change into a SeatChangeRequested operation', () => {
      given
        .when(changeSeats(25))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 25, previousQuantity: 10, requestedBy: 'Partner' })]);
    });

    it('turns a publisher seat change into an operation too, requested by the publisher', () => {
      given
        .when(changeSeats(25, { requestedBy: 'Publisher' }))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 25, requestedBy: 'Publisher' })]);
    });

    it('treats a change to the current quantity as a no-op', () => {
      given.when(changeSeats(10)).thenNothing();
    });

    it('refuses the publisher the quantity the subscription already has, as quantity-unchanged (as Microsoft does)', () => {
      const error = given.when(changeSeats(10, { requestedBy: 'Publisher' })).thenThrows('quantity-unchanged', 'validation');
      expect(error.message).toBe('The subscription already has 10 seats.');
      expect(error.field).toBe('quantity');
    });

    it.each([0, 301, 1.5])('refuses a seat change to %p', (quantity) => {
      given.when(changeSeats(quantity)).thenThrows('quantity-out-of-range', 'validation');
    });

    it('refuses a seat change once the plan is no longer in the catalog', () => {
      given.when(changeSeats(25, { limits: null })).thenThrows('plan-withdrawn', 'rule');
    });

    it('turns a plan change into a PlanChangeRequested operation', () => {
      given.when(changePlan('premium')).then([planChangeRequested({ operationId: NEW_OP })]);
    });

    it.each([
      ['the offer has no plan of that id', 'retired'],
      ['the plan is private (it needs an audience, and this marketplace keeps none)', 'partner-only'],
    ])('refuses a plan change when %s, as plan-not-available', (_case, planId) => {
      const error = given.when(changePlan(planId)).thenThrows('plan-not-available', 'validation');
      expect(error.message).toBe(`Plan ${planId} is not available to this subscription; listAvailablePlans shows those that are.`);
      expect(error.field).toBe('planId');
    });

    it('refuses a plan change to the current plan as plan-unchanged', () => {
      given.when(changePlan('standard')).thenThrows('plan-unchanged', 'validation');
    });

    it('counts the private plan the subscription is on as available to it', () => {
      spec
        .given([purchased({ planId: 'partner-only' }), ...ACTIVE.slice(1)])
        .when(changePlan('partner-only'))
        .thenThrows('plan-unchanged', 'validation');
    });

    it('refuses a plan whose limits the current quantity does not fit', () => {
      const error = given.when(changePlan('starter')).thenThrows('quantity-out-of-range', 'validation');
      expect(error.extensions).toEqual({ minQuantity: 1, maxQuantity: 5 });
    });

    it.each([
      ['both planId and quantity', { planId: 'premium', quantity: 25 }],
      ['neither planId nor quantity', {}],
    ])('refuses a publisher change with %s, as plan-or-quantity', (_case, change) => {
      const error = given.when(changeSubscription(change)).thenThrows('plan-or-quantity', 'validation');
      expect(error.message).toBe('Send either planId or quantity, not both and not neither (Microsoft: one change per call).');
    });

    it('changes the plan when the publisher sends a planId, with the plan the offer has under it', () => {
      given.when(changeSubscription({ planId: 'premium' })).then([planChangeRequested({ operationId: NEW_OP })]);
    });

    it.each(['retired', 'partner-only'])('refuses the publisher a planId %p the subscription may not move to', (planId) => {
      given.when(changeSubscription({ planId })).thenThrows('plan-not-available', 'validation');
    });

    it('refuses the publisher a plan the current quantity does not fit', () => {
      given.when(changeSubscription({ planId: 'starter' })).thenThrows('quantity-out-of-range', 'validation');
    });

    it('changes the seats when the publisher sends a quantity, as an operation', () => {
      given
        .when(changeSubscription({ quantity: 25 }))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 25, requestedBy: 'Publisher' })]);
    });

    it('holds a publisher seat change to the limits of the plan the subscription is on', () => {
      const plans = [{ ...STANDARD, maxQuantity: 20 }, PREMIUM];
      const error = given.when(changeSubscription({ quantity: 25 }, { plans })).thenThrows('quantity-out-of-range', 'validation');
      expect(error.extensions).toEqual({ minQuantity: 1, maxQuantity: 20 });
    });

    it('refuses a publisher seat change when the offer no longer has the plan the subscription is on', () => {
      const error = given.when(changeSubscription({ quantity: 25 }, { plans: [PREMIUM] })).thenThrows('plan-withdrawn', 'rule');
      expect(error.extensions).toEqual({ planId: 'standard' });
    });

    it('refuses the publisher, through its PATCH, the quantity the subscription already has', () => {
      given.when(changeSubscription({ quantity: 10 })).thenThrows('quantity-unchanged', 'validation');
    });

    it('renews the term named once it is over, charging the next term', () => {
      given.when(renew()).then([renewed()]);
    });

    it('treats a renewal before the last day of the term is over as a no-op', () => {
      given.when(renew('2025-04-10T23:59:59.999Z')).thenNothing();
    });

    it('is due exactly at renewalDueAt, the first instant it acts', () => {
      expect(renewalDueAt(TERM_END)).toBe(TERM_DUE);
      given.when(renew(new Date(Date.parse(renewalDueAt(TERM_END)) - 1).toISOString())).thenNothing();
      given.when(renew(renewalDueAt(TERM_END))).then([renewed()]);
    });

    it('treats a renewal for another term than the current one as a no-op', () => {
      given.when(renew(TERM_DUE, '2025-03-10')).thenNothing();
      spec.given([...ACTIVE, renewed()]).when(renew('2025-05-11T00:00:00.000Z', TERM_END)).thenNothing();
    });

    it('ends the subscription with the term named when auto-renew is off', () => {
      spec
        .given([...ACTIVE, autoRenewDisabled])
        .when(renew())
        .then([{ type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: TERM_DUE } }]);
    });

    it('ends a change still waiting for the publisher with the term, so its timeout finds nothing left to accept', () => {
      const expired: SubscriptionEvent = { type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: TERM_DUE } };
      const after = spec.given([...WITH_PENDING_OPERATION, autoRenewDisabled, expired]);
      after.when(timedOut()).thenNothing();
      const state = after.state();
      expect(state.status === 'deleted' && state.operations.find((op) => op.id === PENDING_OP)).toMatchObject({
        status: 'Failed',
        completedAt: TERM_DUE,
      });
    });

    it('renames', () => {
      given
        .when(rename('CRM'))
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: 'CRM', previousFriendlyName: 'CRM for Fabrikam' } }]);
    });

    it('cancels inside the window, refunding what was charged', () => {
      given.when(cancel(NOW)).then([cancelled({ refund: { amount: '120.00', currency: 'USD' } })]);
    });

    it('cancels at the exact instant the window closes, with the refund', () => {
      given
        .when(cancel(WINDOW_CLOSES))
        .then([cancelled({ cancelledAt: WINDOW_CLOSES, refund: { amount: '120.00', currency: 'USD' } })]);
    });

    it('refuses the partner a cancellation one millisecond after the window', () => {
      const error = given.when(cancel(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
      expect(error.message).toContain('autoRenewEnabled: false');
    });

    it('refunds a publisher cancellation inside the window', () => {
      given
        .when(cancel(NOW, 'Publisher'))
        .then([cancelled({ requestedBy: 'Publisher', refund: { amount: '120.00', currency: 'USD' } })]);
    });

    it('lets the publisher cancel after the window, without refund', () => {
      given
        .when(cancel(LATER, 'Publisher'))
        .then([cancelled({ cancelledAt: LATER, requestedBy: 'Publisher', refund: null })]);
    });

    it('treats StartBilling again as a no-op', () => {
      given.when(startBilling(LATER)).thenNothing();
    });

    it('treats a repeated fulfilment confirmation as a no-op', () => {
      given.when(confirmFulfillment()).thenNothing();
    });

    it('treats licenses assigned again as a no-op', () => {
      given.when(recordLicenses(10)).thenNothing();
    });
  });

  describe('with a pending seat-change operation', () => {
    const given = spec.given(WITH_PENDING_OPERATION);

    it('refuses a different quantity while the operation is pending', () => {
      const error = given.when(changeSeats(20)).thenThrows('operation-pending', 'rule');
      expect(error.extensions).toEqual({ operationId: PENDING_OP });
    });

    it('refuses going back to the current quantity while the operation is pending', () => {
      given.when(changeSeats(10)).thenThrows('operation-pending', 'rule');
    });

    it('refuses a different quantity from the publisher as well', () => {
      given.when(changeSeats(20, { requestedBy: 'Publisher' })).thenThrows('operation-pending', 'rule');
    });

    it('treats resending the pending quantity as a no-op', () => {
      given.when(changeSeats(15)).thenNothing();
    });

    it('treats the publisher resending the pending quantity as a no-op too', () => {
      given.when(changeSeats(15, { requestedBy: 'Publisher' })).thenNothing();
      given.when(changeSubscription({ quantity: 15 })).thenNothing();
    });

    it('refuses the publisher going back to the current quantity as operation-pending, not quantity-unchanged', () => {
      given.when(changeSeats(10, { requestedBy: 'Publisher' })).thenThrows('operation-pending', 'rule');
    });

    it('refuses a plan change while the seat change is pending', () => {
      given.when(changePlan('premium')).thenThrows('operation-pending', 'rule');
    });

    it('still validates the quantity first', () => {
      given.when(changeSeats(301)).thenThrows('quantity-out-of-range', 'validation');
    });

    it('accepts the operation: SeatsChanged with its id', () => {
      given
        .when(acceptSeatChange())
        .then([seatsChanged({ quantity: 15, previousQuantity: 10, operationId: PENDING_OP, changedAt: LATER })]);
    });

    it('rejects the operation with the reason', () => {
      given.when(rejectSeatChange()).then([seatChangeRejected({ rejectedAt: LATER })]);
    });

    it('accepts or rejects for the publisher when the plan and quantity it sends are the operation\'s', () => {
      given
        .when(acceptSeatChange(PENDING_OP, { planId: 'standard', quantity: 15 }))
        .then([seatsChanged({ changedAt: LATER })]);
      given.when(rejectSeatChange(PENDING_OP, { planId: 'standard', quantity: 15 })).then([seatChangeRejected({ rejectedAt: LATER })]);
    });

    it.each([
      ['planId', { planId: 'premium' }, 'standard'],
      ['quantity', { quantity: 20 }, 15],
    ] as const)('refuses the publisher a %s that is not the operation\'s, as operation-mismatch', (field, sent, expected) => {
      for (const command of [acceptSeatChange(PENDING_OP, sent), rejectSeatChange(PENDING_OP, sent)]) {
        const error = given.when(command).thenThrows('operation-mismatch', 'validation');
        expect(error.extensions).toEqual({ expected });
        expect(error.field).toBe(field);
        expect(error.message).toBe(`${field} does not match the operation (${expected}).`);
      }
    });

    it('checks the plan before the quantity', () => {
      const error = given.when(acceptSeatChange(PENDING_OP, { planId: 'premium', quantity: 20 })).thenThrows('operation-mismatch');
      expect(error.field).toBe('planId');
    });

    it('checks what the publisher sent only once the operation is known and waiting', () => {
      given.when(acceptSeatChange('op-unknown', { planId: 'premium' })).thenThrows('operation-not-found', 'not-found');
      spec
        .given([...WITH_PENDING_OPERATION, seatsChanged()])
        .when(rejectSeatChange(PENDING_OP, { quantity: 20 }))
        .thenThrows('operation-not-in-progress', 'conflict');
    });

    it('accepts the operation when the publisher did not answer in time', () => {
      given.when(timedOut()).then([seatsChanged({ changedAt: LATER })]);
    });

    it('rejects the operation when the publisher refused it in its answer to the notification', () => {
      given.when(refusedOnNotification()).then([seatChangeRejected({ rejectedAt: LATER })]);
    });

    it.each([
      ['accepted', seatsChanged()],
      ['rejected', seatChangeRejected()],
    ])('treats a timeout or a notification answer as a no-op once the operation was %s', (_case, finished) => {
      const history = [...WITH_PENDING_OPERATION, finished];
      spec.given(history).when(timedOut()).thenNothing();
      spec.given(history).when(refusedOnNotification()).thenNothing();
    });

    it.each([acceptSeatChange('op-unknown'), rejectSeatChange('op-unknown')])(
      'refuses $type for an unknown operation',
      (command) => {
        given.when(command).thenThrows('operation-not-found', 'not-found');
      },
    );

    it.each([
      ['accepted', seatsChanged(), 'Succeeded'],
      ['rejected', seatChangeRejected(), 'Failed'],
    ])('refuses accepting or rejecting an operation already %s', (_case, finished, status) => {
      const history = [...WITH_PENDING_OPERATION, finished];
      for (const command of [acceptSeatChange(), rejectSeatChange()]) {
        const error = spec.given(history).when(command).thenThrows('operation-not-in-progress', 'conflict');
        expect(error.extensions).toEqual({ operationStatus: status });
      }
    });

    it('requests a new change once the operation was accepted', () => {
      spec
        .given([...WITH_PENDING_OPERATION, seatsChanged()])
        .when(changeSeats(20))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 20, previousQuantity: 15 })]);
    });

    it('requests the same change again once the operation was rejected', () => {
      spec
        .given([...WITH_PENDING_OPERATION, seatChangeRejected()])
        .when(changeSeats(15))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 15, previousQuantity: 10 })]);
    });

    it('cancels inside the window, abandoning the operation and refunding the charge', () => {
      given
        .when(cancel())
        .then([cancelled({ refund: { amount: '120.00', currency: 'USD' }, abandonedOperationId: PENDING_OP })]);
    });

    it('lets other changes through', () => {
      given
        .when(rename('CRM'))
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: 'CRM', previousFriendlyName: 'CRM for Fabrikam' } }]);
      given.when(disableAutoRenew).then([{ type: 'AutoRenewDisabled', data: {} }]);
    });
  });

  describe('with a pending plan-change operation', () => {
    const given = spec.given([...ACTIVE, planChangeRequested()]);

    it('treats resending the pending plan as a no-op', () => {
      given.when(changePlan('premium')).thenNothing();
      given.when(changeSubscription({ planId: 'premium' })).thenNothing();
    });

    it('refuses another plan while the change is pending', () => {
      const error = given.when(changePlan('enterprise')).thenThrows('operation-pending', 'rule');
      expect(error.extensions).toEqual({ operationId: PENDING_OP });
    });

    it('still checks the plan is available first', () => {
      given.when(changePlan('retired')).thenThrows('plan-not-available', 'validation');
    });

    it('refuses the publisher the current quantity as operation-pending, not quantity-unchanged', () => {
      given.when(changeSubscription({ quantity: 10 })).thenThrows('operation-pending', 'rule');
    });

    it('accepts the operation: PlanChanged with its id', () => {
      given
        .when(acceptSeatChange())
        .then([{ type: 'PlanChanged', data: { planId: 'premium', previousPlanId: 'standard', operationId: PENDING_OP, changedAt: LATER } }]);
    });

    it('refuses the publisher a plan that is not the operation\'s', () => {
      const error = given.when(acceptSeatChange(PENDING_OP, { planId: 'standard' })).thenThrows('operation-mismatch', 'validation');
      expect(error.extensions).toEqual({ expected: 'premium' });
    });

    it('rejects the operation when the publisher refused it in its answer to the notification', () => {
      given
        .when(refusedOnNotification())
        .then([{ type: 'PlanChangeRejected', data: { operationId: PENDING_OP, planId: 'premium', reason: 'Not enough licences', rejectedAt: LATER } }]);
    });
  });

  describe('publisher action callbacks out of order', () => {
    const EARLIER = '2025-03-12T06:59:59.000Z';
    const LATER_SIGNED = '2025-03-12T07:00:01.000Z';
    const spec = DeciderSpecification.for(subscriptionDecider);

    it('ignores a resolution signed before the action it would clear', () => {
      spec.given([...PENDING, actionRequired(['cancel'])]).when({ type: 'ResolvePublisherAction', data: { signedAt: EARLIER } }).thenNothing();
    });

    it('ignores an action signed before the resolution already applied', () => {
      spec.given([...PENDING, actionRequired(['cancel']), actionResolved]).when(requireAction({ signedAt: EARLIER })).thenNothing();
    });

    it('applies an action signed after the last change, and one signed in the same second', () => {
      const given = spec.given([...PENDING, actionRequired(['cancel']), actionResolved]);
      given
        .when(requireAction({ signedAt: LATER_SIGNED }))
        .then([{ type: 'PublisherActionRequired', data: { ...ACTION, blockedOperations: ['cancel'], signedAt: LATER_SIGNED } }]);
      given.when(requireAction()).then([{ type: 'PublisherActionRequired', data: { ...ACTION, blockedOperations: ['cancel'] } }]);
    });
  });

  describe('with an open publisher action', () => {
    const blockable: { operation: BlockableOperation; command: C.SubscriptionCommand; accepted: SubscriptionEvent }[] = [
      { operation: 'cancel', command: cancel(), accepted: cancelled({ refund: { amount: '120.00', currency: 'USD' } }) },
      { operation: 'changeSeats', command: changeSeats(25), accepted: seatChangeRequested({ operationId: NEW_OP, quantity: 25 }) },
      {
        operation: 'rename',
        command: rename('CRM'),
        accepted: { type: 'SubscriptionRenamed', data: { friendlyName: 'CRM', previousFriendlyName: 'CRM for Fabrikam' } },
      },
      { operation: 'changeAutoRenew', command: disableAutoRenew, accepted: { type: 'AutoRenewDisabled', data: {} } },
      {
        operation: 'changeIndirectReseller',
        command: assignReseller('1234567'),
        accepted: { type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } },
      },
    ];

    it.each(blockable)('refuses $operation while blocked, with the reason and url', ({ operation, command }) => {
      const error = spec.given(withAction([operation])).when(command).thenThrows('blocked-by-publisher-action', 'rule');
      expect(error.extensions).toEqual({ operation, reason: ACTION.reason, url: ACTION.url });
      expect(error.message).toContain(ACTION.reason);
    });

    it.each(blockable)('lets every other operation through while only $operation is blocked', ({ operation }) => {
      for (const other of blockable.filter((entry) => entry.operation !== operation)) {
        spec.given(withAction([operation])).when(other.command).then([other.accepted]);
      }
    });

    it.each(blockable)('lets $operation through again after PublisherActionResolved', ({ operation, command, accepted }) => {
      spec
        .given([...withAction([operation]), actionResolved])
        .when(command)
        .then([accepted]);
    });

    it('blocks removing the indirect reseller under changeIndirectReseller', () => {
      spec
        .given([...ACTIVE, resellerAssigned('1234567'), actionRequired(['changeIndirectReseller'])])
        .when(removeReseller)
        .thenThrows('blocked-by-publisher-action', 'rule');
    });

    it('blocks enabling auto-renew under changeAutoRenew', () => {
      spec
        .given([...ACTIVE, autoRenewDisabled, actionRequired(['changeAutoRenew'])])
        .when(enableAutoRenew)
        .thenThrows('blocked-by-publisher-action', 'rule');
    });

    it('does not block the publisher from cancelling or changing seats', () => {
      const given = spec.given(withAction(['cancel', 'changeSeats']));
      given.when(cancel(NOW, 'Publisher')).then([cancelled({ requestedBy: 'Publisher', refund: { amount: '120.00', currency: 'USD' } })]);
      given
        .when(changeSeats(25, { requestedBy: 'Publisher' }))
        .then([seatChangeRequested({ operationId: NEW_OP, quantity: 25, requestedBy: 'Publisher' })]);
    });

    it('still treats a command whose outcome already holds as a no-op', () => {
      spec.given(withAction(['rename'])).when(rename('CRM for Fabrikam')).thenNothing();
    });

    it('records an action with the reason trimmed and the blocked operations deduplicated and sorted', () => {
      spec
        .given(PENDING)
        .when(requireAction({ reason: `  ${ACTION.reason} `, blockedOperations: ['rename', 'cancel', 'rename'] }))
        .then([actionRequired(['cancel', 'rename'])]);
    });

    it('treats the same action again as a no-op', () => {
      spec
        .given(withAction(['cancel', 'rename']))
        .when(requireAction({ blockedOperations: ['rename', 'cancel'] }))
        .thenNothing();
    });

    it('replaces the open action with a different one', () => {
      spec
        .given(withAction(['cancel']))
        .when(requireAction({ blockedOperations: ['changeSeats'] }))
        .then([actionRequired(['changeSeats'])]);
    });

    it('accepts a reason of 1000 emoji (1000 characters, 2000 UTF-16 units)', () => {
      const reason = '😀'.repeat(1000);
      spec
        .given(PENDING)
        .when(requireAction({ reason }))
        .then([{ type: 'PublisherActionRequired', data: { ...ACTION, reason, blockedOperations: ['cancel'] } }]);
    });

    it.each([
      ['an empty reason', { reason: '  ' }],
      ['a reason over 1000 characters', { reason: 'r'.repeat(1001) }],
      ['a reason of 1001 emoji', { reason: '😀'.repeat(1001) }],
      ['an empty url', { url: ' ' }],
    ])('refuses an action with %s', (_case, overrides) => {
      spec.given(ACTIVE).when(requireAction(overrides)).thenThrows('invalid-publisher-action', 'validation');
    });

    it('resolves the open action', () => {
      spec.given(withAction(['cancel'])).when(resolveAction).then([actionResolved]);
    });

    it('treats resolving when no action is open as a no-op', () => {
      spec.given(ACTIVE).when(resolveAction).thenNothing();
    });
  });

  describe('deleted', () => {
    const given = spec.given(deletedAfter());

    it.each([
      ['partner inside the window', cancel(NOW)],
      ['partner after the window', cancel(AFTER_WINDOW)],
      ['publisher', cancel(LATER, 'Publisher')],
    ])('treats a repeated cancellation by the %s as a no-op', (_case, command) => {
      given.when(command).thenNothing();
    });

    it('treats a repeat of the original purchase as a no-op', () => {
      given.when(purchase()).thenNothing();
    });

    it.each<[string, SubscriptionEvent[], C.SubscriptionCommand]>([
      ['renaming', [], rename('CRM')],
      ['a partner seat change', [], changeSeats(25)],
      ['disabling auto-renew', [], disableAutoRenew],
      ['enabling auto-renew', [autoRenewDisabled], enableAutoRenew],
      ['assigning an indirect reseller', [], assignReseller('1234567')],
      ['removing the indirect reseller', [resellerAssigned('1234567')], removeReseller],
      ['recording assigned licenses', [], recordLicenses(10)],
      ['requiring a publisher action', [], requireAction()],
    ])('refuses %s as subscription-deleted', (_case, history, command) => {
      spec.given(deletedAfter(...history)).when(command).thenThrows('subscription-deleted', 'rule');
    });

    it('refuses a publisher seat change as subscription-not-active (400 in the fulfillment API)', () => {
      given.when(changeSeats(25, { requestedBy: 'Publisher' })).thenThrows('subscription-not-active', 'validation');
    });

    it('refuses fulfilment as subscription-unsubscribed (404 to the publisher)', () => {
      given.when(confirmFulfillment()).thenThrows('subscription-unsubscribed', 'not-found');
    });

    it('refuses fulfilment as subscription-unsubscribed before asking for a quantity', () => {
      given.when(confirmFulfillment('standard', null, true)).thenThrows('subscription-unsubscribed', 'not-found');
    });

    it('refuses a plan change as subscription-not-active', () => {
      given.when(changePlan('premium')).thenThrows('subscription-not-active', 'validation');
    });

    it('checks the plan is available before anything else', () => {
      given.when(changePlan('retired')).thenThrows('plan-not-available', 'validation');
    });

    it('treats a renewal as a no-op: there is no term left to renew', () => {
      spec.given(deletedAfter(licensesAssigned(), fulfillmentConfirmed(), billingStarted())).when(renew()).thenNothing();
    });

    it('never starts billing', () => {
      spec.given(deletedAfter(licensesAssigned(), fulfillmentConfirmed())).when(startBilling()).thenNothing();
    });

    it('refuses accepting the operation the cancellation abandoned', () => {
      spec
        .given([...WITH_PENDING_OPERATION, cancelled({ abandonedOperationId: PENDING_OP })])
        .when(acceptSeatChange())
        .thenThrows('operation-not-in-progress', 'conflict');
    });

    it('treats a timeout or notification answer to the operation the cancellation abandoned as a no-op', () => {
      const history = [...WITH_PENDING_OPERATION, cancelled({ abandonedOperationId: PENDING_OP })];
      spec.given(history).when(timedOut()).thenNothing();
      spec.given(history).when(refusedOnNotification()).thenNothing();
    });

    it('treats a change whose outcome already holds as a no-op', () => {
      given.when(rename('CRM for Fabrikam')).thenNothing();
      given.when(changeSeats(10)).thenNothing();
      given.when(enableAutoRenew).thenNothing();
      given.when(resolveAction).thenNothing();
    });
  });

  describe('evolve', () => {
    it('leaves no subscription untouched by anything but a purchase', () => {
      expect(spec.given([seatsChanged(), billingStarted(), cancelled()]).state()).toEqual({ status: 'none' });
    });

    it('makes a purchase a pending subscription without licenses, fulfilment, action or operations', () => {
      expect(spec.given(PENDING).state()).toMatchObject({
        status: 'pending',
        id: SUBSCRIPTION_ID,
        quantity: 10,
        friendlyName: 'CRM for Fabrikam',
        autoRenewEnabled: true,
        cancellationAllowedUntil: WINDOW_CLOSES,
        licensesAssigned: null,
        fulfillmentConfirmed: false,
        action: null,
        operations: [],
      });
    });

    it('activates on BillingStarted, keeping the billing fields', () => {
      expect(spec.given(ACTIVE).state()).toMatchObject({
        status: 'active',
        licensesAssigned: { assignedSeats: 10 },
        fulfillmentConfirmed: true,
        billing: {
          startDate: '2025-03-11',
          termStart: '2025-03-11',
          termEnd: '2025-04-10',
          quantity: 10,
          unitPrice: '12.00',
          currency: 'USD',
          chargedAmount: '120.00',
        },
      });
    });

    it('keeps the operations history and clears the action on cancellation', () => {
      const state = spec
        .given([
          ...ACTIVE,
          seatChangeRequested({ operationId: 'op-1', quantity: 15, previousQuantity: 10, requestedAt: NOW }),
          seatsChanged({ operationId: 'op-1', quantity: 15, changedAt: '2025-03-12T08:00:10.000Z' }),
          seatChangeRequested({ operationId: 'op-2', quantity: 40, previousQuantity: 15, requestedAt: NOW }),
          seatChangeRejected({ operationId: 'op-2', quantity: 40, reason: 'Too many', rejectedAt: LATER }),
          seatChangeRequested({ operationId: 'op-3', quantity: 12, previousQuantity: 15, requestedAt: LATER }),
          actionRequired(['rename']),
          cancelled({ cancelledAt: LATER, requestedBy: 'Publisher', abandonedOperationId: 'op-3' }),
        ])
        .state();

      expect(state).toMatchObject({
        status: 'deleted',
        quantity: 15,
        action: null,
        cancelledAt: LATER,
        cancelledBy: 'Publisher',
        refund: null,
        billing: { chargedAmount: '120.00' },
      });
      expect(state.status === 'deleted' && state.operations).toEqual([
        expect.objectContaining({ id: 'op-1', status: 'Succeeded', completedAt: '2025-03-12T08:00:10.000Z', reason: null }),
        expect.objectContaining({ id: 'op-2', status: 'Failed', completedAt: LATER, reason: 'Too many' }),
        expect.objectContaining({ id: 'op-3', status: 'Failed', completedAt: LATER, reason: 'Subscription cancelled' }),
        expect.objectContaining({ id: CANCEL_OP, action: 'Unsubscribe', status: 'Succeeded', requestedBy: 'Publisher', completedAt: LATER }),
      ]);
    });

    it('has no billing when cancelled before billing started', () => {
      expect(spec.given(deletedAfter()).state()).toMatchObject({ status: 'deleted', billing: null });
    });

    it('applies a change in place and a seat change before billing without an operation', () => {
      expect(
        spec
          .given([...PENDING, seatsChanged({ quantity: 3, operationId: null }), resellerAssigned('1234567'), autoRenewDisabled])
          .state(),
      ).toMatchObject({ quantity: 3, operations: [], indirectResellerId: '1234567', autoRenewEnabled: false });
    });
  });
});

describe('terms of one month to three years (SPEC §13, DOMAIN §4.5)', () => {
  type Term = E.SubscriptionPurchasedData['termDuration'];
  type Cycle = E.BillingCycle;
  /** 10 seats bought 2025-03-10 09:00 with a 72-hour window, billing from 2025-03-11; the term's price per seat per term. */
  const bought = (termDuration: Term, billingCycle: Cycle, unitPrice = '540.00') => purchased({ termDuration, billingCycle, unitPrice });
  const billed = (termDuration: Term, billingCycle: Cycle, termEnd: string, chargedAmount: string, unitPrice = '540.00'): SubscriptionEvent[] => [
    bought(termDuration, billingCycle, unitPrice),
    licensesAssigned(),
    fulfillmentConfirmed(),
    billingStarted({ termEnd, unitPrice, billingCycle, chargedAmount }),
  ];
  const requestCancellation = (now: string, requestedBy: Requester = 'Publisher'): C.RequestCancellation => ({
    type: 'RequestCancellation',
    data: { requestedBy, operationId: CANCEL_OP, now },
  });
  const startCycle = (cycleStart: string, now = `${cycleStart}T00:00:00.000Z`): C.StartBillingCycle => ({ type: 'StartBillingCycle', data: { cycleStart, now } });
  const cycleStarted = (cycleStart: string, cycleEnd: string): E.BillingCycleStarted => ({ type: 'BillingCycleStarted', data: { cycleStart, cycleEnd, quantity: 10 } });
  const cancellationRequested: E.CancellationRequested = {
    type: 'CancellationRequested',
    data: { operationId: CANCEL_OP, requestedBy: 'Publisher', requestedAt: AFTER_WINDOW },
  };
  /** 540.00 per seat per term: a year of three 180.00, a month of 36 15.00. */
  const P3Y_ANNUAL = billed('P3Y', 'annual', '2028-03-10', '1800.00');
  const P3Y_MONTHLY = billed('P3Y', 'monthly', '2028-03-10', '150.00');
  const P3Y_UPFRONT = billed('P3Y', 'upfront', '2028-03-10', '5400.00');
  /** 380.00 per seat per term: a year of two 190.00. */
  const P2Y_ANNUAL = billed('P2Y', 'annual', '2027-03-10', '1900.00', '380.00');
  const P2Y_UPFRONT = billed('P2Y', 'upfront', '2027-03-10', '3800.00', '380.00');

  describe('purchase', () => {
    it.each<[Term, Cycle]>([
      ['P1Y', 'upfront'],
      ['P2Y', 'monthly'],
      ['P2Y', 'annual'],
      ['P2Y', 'upfront'],
      ['P3Y', 'monthly'],
      ['P3Y', 'annual'],
      ['P3Y', 'upfront'],
    ])('accepts a %s term billed %s', (termDuration, billingCycle) => {
      spec.when(purchase({ termDuration, billingCycle })).then([purchased({ termDuration, billingCycle })]);
    });

    it('refuses a P1M term billed upfront, as billed annually: a month is billed monthly', () => {
      const error = spec.when(purchase({ billingCycle: 'upfront' })).thenThrows('invalid-billing-cycle', 'validation');
      expect(error.field).toBe('billingCycle');
    });
  });

  describe('billing', () => {
    it('starts billing a P3Y term billed annually for three years, charging its first year: 10 × 180.00', () => {
      spec
        .given([bought('P3Y', 'annual'), licensesAssigned(), fulfillmentConfirmed()])
        .when(startBilling())
        .then([billingStarted({ termEnd: '2028-03-10', unitPrice: '540.00', billingCycle: 'annual', chargedAmount: '1800.00' })]);
    });

    it.each<[Cycle, string]>([
      ['monthly', '150.00'],
      ['upfront', '5400.00'],
    ])('charges a P3Y term billed %s its first cycle: %s', (billingCycle, chargedAmount) => {
      spec
        .given([bought('P3Y', billingCycle), licensesAssigned(), fulfillmentConfirmed()])
        .when(startBilling())
        .then([billingStarted({ termEnd: '2028-03-10', unitPrice: '540.00', billingCycle, chargedAmount })]);
    });

    it('starts the second and third years on their anniversaries, and no month in between', () => {
      spec.given(P3Y_ANNUAL).when(startCycle('2026-03-11')).then([cycleStarted('2026-03-11', '2027-03-10')]);
      spec.given(P3Y_ANNUAL).when(startCycle('2025-04-11')).thenNothing();
      spec.given([...P3Y_ANNUAL, cycleStarted('2026-03-11', '2027-03-10')]).when(startCycle('2027-03-11')).then([cycleStarted('2027-03-11', '2028-03-10')]);
    });

    it('catches up both later years in order when the third year’s job is the first to come', () => {
      spec.given(P3Y_ANNUAL).when(startCycle('2027-03-11')).then([cycleStarted('2026-03-11', '2027-03-10'), cycleStarted('2027-03-11', '2028-03-10')]);
    });

    it('keeps counting months past the first year of a P3Y billed monthly', () => {
      spec.given(P3Y_MONTHLY).when(startCycle('2025-04-11')).then([cycleStarted('2025-04-11', '2025-05-10')]);
    });

    it('starts no later cycle for a term billed upfront: it was charged whole', () => {
      spec.given(P3Y_UPFRONT).when(startCycle('2026-03-11')).thenNothing();
    });

    it.each<[string, SubscriptionEvent[], string]>([
      ['billed annually, charging its first year', P2Y_ANNUAL, '1900.00'],
      ['billed upfront, charging the whole term', P2Y_UPFRONT, '3800.00'],
    ])('renews a P2Y for two more years %s', (_case, history, chargedAmount) => {
      spec
        .given(history)
        .when(renew('2027-03-11T00:00:00.000Z', '2027-03-10'))
        .then([renewed({ termStart: '2027-03-11', termEnd: '2029-03-10', chargedAmount, renewedAt: '2027-03-11T00:00:00.000Z' })]);
    });
  });

  describe('cancellation: a 2- or 3-year term with future payments is kept after its window', () => {
    it.each<[string, SubscriptionEvent[]]>([
      ['P2Y billed annually', P2Y_ANNUAL],
      ['P3Y billed annually', P3Y_ANNUAL],
      ['P3Y billed monthly', P3Y_MONTHLY],
    ])('refuses the publisher’s DELETE of a %s after the window, as the partner’s cancel', (_case, history) => {
      const publisher = spec.given(history).when(requestCancellation(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
      expect(publisher.extensions).toEqual({ cancellationAllowedUntilDate: WINDOW_CLOSES });
      spec.given(history).when(cancel(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
      spec.given(history).when(cancel(AFTER_WINDOW, 'Publisher')).thenThrows('cancellation-window-closed', 'rule');
    });

    it('keeps refusing for the rest of the term, and in a renewed term: the window does not reopen', () => {
      spec.given(P3Y_ANNUAL).when(requestCancellation('2027-12-01T00:00:00.000Z')).thenThrows('cancellation-window-closed', 'rule');
      const renewedTerm = [...P2Y_ANNUAL, renewed({ termStart: '2027-03-11', termEnd: '2029-03-10', chargedAmount: '1900.00' })];
      spec.given(renewedTerm).when(requestCancellation('2027-04-01T00:00:00.000Z')).thenThrows('cancellation-window-closed', 'rule');
    });

    it('cancels inside the window: the partner at once with the first cycle refunded, the publisher by request', () => {
      spec.given(P3Y_ANNUAL).when(cancel(NOW)).then([cancelled({ refund: { amount: '1800.00', currency: 'USD' } })]);
      spec.given(P3Y_MONTHLY).when(requestCancellation(WINDOW_CLOSES)).then([{ ...cancellationRequested, data: { ...cancellationRequested.data, requestedAt: WINDOW_CLOSES } }]);
    });

    it.each<[string, SubscriptionEvent[]]>([
      ['a P2Y billed upfront (nothing is left to pay)', P2Y_UPFRONT],
      ['a P3Y billed upfront', P3Y_UPFRONT],
      ['a P1Y billed monthly (one year is no multi-year term)', [purchased({ termDuration: 'P1Y' }), licensesAssigned(), fulfillmentConfirmed(), billingStarted({ termEnd: '2026-03-10' })]],
      ['a P3Y billed annually whose billing never started (it has no term yet)', [bought('P3Y', 'annual')]],
    ])('lets the publisher ask to cancel %s after the window', (_case, history) => {
      spec.given(history).when(requestCancellation(AFTER_WINDOW)).then([cancellationRequested]);
    });

    it('still refuses the partner after the window whatever the term, as before', () => {
      spec.given(P2Y_UPFRONT).when(cancel(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
    });

    it('lets the system end a committed term after the window, with no refund', () => {
      spec.given(P3Y_ANNUAL).when(cancel(LATER, 'System')).then([cancelled({ cancelledAt: LATER, requestedBy: 'System' })]);
    });

    it('answers a resent DELETE with nothing once one is waiting, and a cancelled subscription as before', () => {
      spec.given([...P3Y_ANNUAL.slice(0, 3), cancellationRequested]).when(requestCancellation(LATER)).thenNothing();
      spec.given([...P3Y_ANNUAL, cancelled()]).when(requestCancellation(LATER)).thenThrows('subscription-not-active');
      spec.given([...P3Y_ANNUAL, cancelled()]).when(cancel(LATER)).thenNothing();
    });
  });
});
