import { DeciderSpecification } from '@mfh/testing';
import { subscriptionDecider } from '../subscription/subscription.decider';
import {
  OrderCompleted,
  OrderLineItem,
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
const place = (overrides: Partial<OrderPlacedData> = {}): PlaceOrder => ({ type: 'PlaceOrder', data: order(overrides) });
const placed = (overrides: Partial<OrderPlacedData> = {}): OrderPlaced => ({ type: 'OrderPlaced', data: order(overrides) });
const complete = { type: 'CompleteOrder', data: { now: COMPLETED_AT } } as const;
const completed: OrderCompleted = { type: 'OrderCompleted', data: { completedAt: COMPLETED_AT } };

describe('order decider', () => {
  describe('with no order', () => {
    it('places the order as given', () => {
      spec.when(place()).then([placed()]);
    });

    it('refuses an order without line items', () => {
      spec.when(place({ lineItems: [] })).thenThrows('order-without-line-items', 'validation');
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
