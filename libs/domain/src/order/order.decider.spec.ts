import { DeciderSpecification } from '@mfh/testing';
import { subscriptionDecider } from '../subscription/subscription.decider';
import {
  OrderCompleted,
  OrderLineItem,
  OrderLineRequest,
  OrderPlaced,
  OrderPlacedData,
  PlaceOrder,
  orderDecider,
  orderStream,
  purchasesOf,
} from './order.decider';

const spec = DeciderSpecification.for(orderDecider);

const ORDER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const PLACED_AT = '2025-03-10T09:00:00.000Z';
const COMPLETED_AT = '2025-03-10T09:00:02.000Z';

const lineItem = (overrides: Partial<OrderLineItem> = {}): OrderLineItem => ({
  lineItemNumber: 1,
  subscriptionId: 'sub-1',
  offerId: 'contoso-crm',
  offerName: 'Contoso CRM',
  planId: 'standard',
  publisherId: 'contoso',
  publisherName: 'Contoso Ltd',
  quantity: 10,
  minQuantity: 1,
  maxQuantity: 300,
  termDuration: 'P1M',
  billingCycle: 'monthly',
  friendlyName: 'CRM for Fabrikam',
  partnerIdOnRecord: null,
  unitPrice: '12.00',
  currency: 'USD',
  cancellationWindowMs: 72 * 3_600_000,
  ...overrides,
});
const order = (overrides: Partial<OrderPlacedData> = {}): OrderPlacedData => ({
  orderId: ORDER_ID,
  customerId: 'customer-1',
  partnerId: 'partner-1',
  lineItems: [lineItem()],
  requestFingerprint: 'sha256:aaaa',
  placedAt: PLACED_AT,
  ...overrides,
});
const TERMS: NonNullable<OrderLineRequest['terms']> = {
  publisherId: 'contoso',
  publisherName: 'Contoso Ltd',
  unitPrice: '12.00',
  currency: 'USD',
  cancellationWindowMs: 72 * 3_600_000,
  billingCycles: ['monthly'],
};
const line = (overrides: Partial<OrderLineRequest> = {}): OrderLineRequest => ({
  subscriptionId: 'sub-1',
  offerId: 'contoso-crm',
  planId: 'standard',
  quantity: 10,
  termDuration: 'P1M',
  billingCycle: 'monthly',
  friendlyName: 'CRM for Fabrikam',
  partnerIdOnRecord: null,
  offer: { id: 'contoso-crm', name: 'Contoso CRM' },
  plan: { id: 'standard', minQuantity: 1, maxQuantity: 300, isPrivate: false, isPricePerSeat: true },
  terms: TERMS,
  ...overrides,
});
const place = (overrides: Partial<PlaceOrder['data']> = {}): PlaceOrder => {
  const { lineItems: _resolved, ...fields } = order();
  return { type: 'PlaceOrder', data: { ...fields, testClockId: null, lines: [line()], ...overrides } };
};
const placed = (overrides: Partial<OrderPlacedData> = {}): OrderPlaced => ({ type: 'OrderPlaced', data: order(overrides) });
const complete = { type: 'CompleteOrder', data: { now: COMPLETED_AT } } as const;
const completed: OrderCompleted = { type: 'OrderCompleted', data: { completedAt: COMPLETED_AT } };

describe('order decider', () => {
  describe('with no order', () => {
    it('places the order, each line item numbered and completed from the catalog', () => {
      spec.when(place()).then([placed()]);
    });

    it('numbers the line items from 1, keeping the subscription ids the caller derived', () => {
      spec
        .when(place({ lines: [line(), line({ subscriptionId: 'sub-2', quantity: 5 })] }))
        .then([placed({ lineItems: [lineItem(), lineItem({ lineItemNumber: 2, subscriptionId: 'sub-2', quantity: 5 })] })]);
    });

    it('takes ids and names as the catalog spells them, and the offer name when no friendly name is given', () => {
      spec
        .when(place({ lines: [line({ offerId: 'Contoso-CRM', planId: 'Standard', friendlyName: null })] }))
        .then([placed({ lineItems: [lineItem({ friendlyName: 'Contoso CRM' })] })]);
    });

    it('refuses an order without line items', () => {
      spec.when(place({ lines: [] })).thenThrows('order-without-line-items', 'validation');
    });

    it('refuses a line whose offer the catalog does not have, pointing at its offerId', () => {
      const error = spec.when(place({ lines: [line(), line({ offerId: 'nope', offer: null })] })).thenThrows('unknown-offer', 'validation');
      expect(error.message).toBe('lineItems[1]: there is no offer nope.');
      expect(error.extensions).toEqual({ pointer: '/lineItems/1/offerId' });
      expect(error.field).toBeUndefined();
    });

    it.each([
      ['not in the catalog', null],
      ['private (it needs an audience, and this marketplace keeps none)', { id: 'vip', minQuantity: 1, maxQuantity: 10, isPrivate: true, isPricePerSeat: true }],
    ])('refuses a line whose plan is %s, pointing at its planId', (_case, plan) => {
      const error = spec.when(place({ lines: [line({ planId: 'vip', plan })] })).thenThrows('unknown-plan', 'validation');
      expect(error.message).toBe('lineItems[0]: offer contoso-crm has no plan vip.');
      expect(error.extensions).toEqual({ pointer: '/lineItems/0/planId' });
      expect(error.field).toBeUndefined();
    });

    it('refuses a line whose term the plan is not sold for, pointing at its termDuration', () => {
      const error = spec
        .when(place({ lines: [line({ termDuration: 'P1Y', billingCycle: 'annual', terms: null })] }))
        .thenThrows('unavailable-term', 'validation');
      expect(error.message).toBe('lineItems[0]: P1Y is not sold for this plan.');
      expect(error.extensions).toEqual({ pointer: '/lineItems/0/termDuration' });
      expect(error.field).toBeUndefined();
    });

    it('refuses a line billed in a way the offer does not sell its term, pointing at its billingCycle and naming what is sold', () => {
      const threeYears = { ...TERMS, unitPrice: '540.00', billingCycles: ['annual', 'upfront'] as const };
      const error = spec
        .when(place({ lines: [line({ termDuration: 'P3Y', billingCycle: 'annual', terms: threeYears }), line({ termDuration: 'P3Y', billingCycle: 'monthly', terms: threeYears })] }))
        .thenThrows('unavailable-billing-cycle', 'validation');
      expect(error.message).toBe('lineItems[1]: P3Y is not sold billed monthly for this offer; it is sold billed annual, upfront.');
      expect(error.extensions).toEqual({ pointer: '/lineItems/1/billingCycle', billingCycles: ['annual', 'upfront'] });
    });

    it.each<[OrderLineRequest['termDuration'], OrderLineRequest['billingCycle'], string]>([
      ['P1Y', 'upfront', '144.00'],
      ['P2Y', 'annual', '260.00'],
      ['P3Y', 'monthly', '360.00'],
    ])('places a %s term billed %s where the offer sells it so', (termDuration, billingCycle, unitPrice) => {
      const terms = { ...TERMS, unitPrice, billingCycles: ['monthly', 'annual', 'upfront'] as const };
      spec.when(place({ lines: [line({ termDuration, billingCycle, terms })] })).then([placed({ lineItems: [lineItem({ termDuration, billingCycle, unitPrice })] })]);
    });

    it('checks the offer, then the plan, then the term, then its billing cycle', () => {
      spec.when(place({ lines: [line({ offer: null, plan: null, terms: null })] })).thenThrows('unknown-offer');
      spec.when(place({ lines: [line({ plan: null, terms: null })] })).thenThrows('unknown-plan');
      spec.when(place({ lines: [line({ termDuration: 'P2Y', billingCycle: 'upfront', terms: null })] })).thenThrows('unavailable-term');
    });

    it('checks every line against the catalog before any against the purchase rules', () => {
      spec.when(place({ lines: [line({ quantity: 0 }), line({ offer: null })] })).thenThrows('unknown-offer');
    });

    it.each([
      ['quantity', { quantity: 301 }, 'quantity-out-of-range', '/lineItems/1/quantity', { minQuantity: 1, maxQuantity: 300 }],
      ['friendlyName', { friendlyName: '   ' }, 'invalid-friendly-name', '/lineItems/1/friendlyName', {}],
      // Whatever the catalog says: a month is billed monthly.
      ['billingCycle', { billingCycle: 'annual' as const }, 'invalid-billing-cycle', '/lineItems/1/billingCycle', {}],
      ['billingCycle', { billingCycle: 'upfront' as const, terms: { ...TERMS, billingCycles: ['monthly', 'upfront'] as const } }, 'invalid-billing-cycle', '/lineItems/1/billingCycle', {}],
      ['indirectResellerId', { partnerIdOnRecord: '12345' }, 'invalid-mpn-id', '/lineItems/1/partnerIdOnRecord', {}],
    ])('refuses a line the purchase rules refuse (%s), pointed at the line item field', (field, overrides, code, pointer, extensions) => {
      const error = spec.when(place({ lines: [line(), line({ subscriptionId: 'sub-2', ...overrides })] })).thenThrows(code, 'validation');
      expect(error.message).toMatch(/^lineItems\[1\]: /);
      expect(error.extensions).toEqual({ ...extensions, pointer });
      expect(error.field).toBe(field);
    });

    it('keeps the purchase rule\'s message after the line prefix', () => {
      const error = spec.when(place({ lines: [line({ quantity: 0 })] })).thenThrows('quantity-out-of-range');
      expect(error.message).toBe('lineItems[0]: quantity must be a whole number from 1 to 300 for this plan.');
    });

    it('refuses completing an order that does not exist', () => {
      spec.when(complete).thenThrows('order-not-found', 'not-found');
    });
  });

  describe('pending', () => {
    const given = spec.given([placed()]);

    it('treats a resend with the same fingerprint as a no-op, even dated later', () => {
      given.when(place({ placedAt: COMPLETED_AT })).thenNothing();
    });

    it('refuses the same key with a different body as idempotency-key-reused (422)', () => {
      given.when(place({ requestFingerprint: 'sha256:bbbb' })).thenThrows('idempotency-key-reused', 'unprocessable');
    });

    it('refuses the same fingerprint from another partner as idempotency-key-reused', () => {
      given.when(place({ partnerId: 'partner-2' })).thenThrows('idempotency-key-reused', 'unprocessable');
    });

    it('checks the lines before the resend, as the catalog may have changed since', () => {
      given.when(place({ lines: [line({ plan: null })] })).thenThrows('unknown-plan', 'validation');
    });

    it('completes, dated now', () => {
      given.when(complete).then([completed]);
    });
  });

  describe('completed', () => {
    const given = spec.given([placed(), completed]);

    it('treats completing again as a no-op', () => {
      given.when({ type: 'CompleteOrder', data: { now: '2025-03-11T00:00:00.000Z' } }).thenNothing();
    });

    it('still answers a resend with the same fingerprint as a no-op', () => {
      given.when(place()).thenNothing();
    });

    it('still refuses a different body under the same key', () => {
      given.when(place({ requestFingerprint: 'sha256:bbbb' })).thenThrows('idempotency-key-reused', 'unprocessable');
    });
  });

  describe('evolve', () => {
    it('keeps the placed order, pending', () => {
      expect(spec.given([placed()]).state()).toEqual({ ...order(), status: 'pending' });
    });

    it('marks it completed with the completion time', () => {
      expect(spec.given([placed(), completed]).state()).toEqual({ ...order(), status: 'completed', completedAt: COMPLETED_AT });
    });

    it('ignores a completion without an order', () => {
      expect(spec.given([completed]).state()).toEqual({ status: 'none' });
    });
  });

  describe('purchasesOf', () => {
    const twoItems = order({
      lineItems: [
        lineItem(),
        lineItem({
          lineItemNumber: 2,
          subscriptionId: 'sub-2',
          quantity: 5,
          minQuantity: 5,
          maxQuantity: 50,
          termDuration: 'P1Y',
          billingCycle: 'annual',
          partnerIdOnRecord: '1234567',
          cancellationWindowMs: 14 * 86_400_000,
        }),
      ],
    });

    it('maps each line item to a PurchaseSubscription dated at placedAt', () => {
      expect(purchasesOf(twoItems)).toEqual([
        {
          type: 'PurchaseSubscription',
          data: {
            subscriptionId: 'sub-1',
            customerId: 'customer-1',
            partnerId: 'partner-1',
            orderId: ORDER_ID,
            lineItemNumber: 1,
            offerId: 'contoso-crm',
            offerName: 'Contoso CRM',
            planId: 'standard',
            publisherId: 'contoso',
            publisherName: 'Contoso Ltd',
            quantity: 10,
            limits: { minQuantity: 1, maxQuantity: 300 },
            termDuration: 'P1M',
            billingCycle: 'monthly',
            friendlyName: 'CRM for Fabrikam',
            indirectResellerId: null,
            unitPrice: '12.00',
            currency: 'USD',
            cancellationWindowMs: 72 * 3_600_000,
            testClockId: null,
            now: PLACED_AT,
          },
        },
        expect.objectContaining({
          data: expect.objectContaining({
            subscriptionId: 'sub-2',
            lineItemNumber: 2,
            limits: { minQuantity: 5, maxQuantity: 50 },
            termDuration: 'P1Y',
            billingCycle: 'annual',
            indirectResellerId: '1234567',
            cancellationWindowMs: 14 * 86_400_000,
            now: PLACED_AT,
          }),
        }),
      ]);
    });

    it('yields purchases the subscription decider accepts, with the window counted from placedAt', () => {
      const [first] = purchasesOf(twoItems);
      DeciderSpecification.for(subscriptionDecider)
        .when(first)
        .then([
          {
            type: 'SubscriptionPurchased',
            data: expect.objectContaining({
              subscriptionId: 'sub-1',
              purchasedAt: PLACED_AT,
              cancellationAllowedUntil: '2025-03-13T09:00:00.000Z',
            }),
          },
        ]);
    });
  });

  it('names the stream after the order id', () => {
    expect(orderStream(ORDER_ID)).toBe(`order-${ORDER_ID}`);
  });
});
