import type { Command, Decider, DomainEvent } from '../decider';
import { DomainError } from '../errors';
import type { TermDuration } from '../shared/time';
import type { PurchaseSubscription } from '../subscription/subscription.commands';
import type { BillingCycle } from '../subscription/subscription.events';

export const orderStream = (orderId: string): string => `order-${orderId}`;

/** A line item as ordered, with the catalog terms it was sold under, so the order alone can complete it. */
export interface OrderLineItem {
  lineItemNumber: number;
  subscriptionId: string;
  offerId: string;
  offerName: string;
  planId: string;
  publisherId: string;
  publisherName: string;
  quantity: number;
  minQuantity: number;
  maxQuantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  friendlyName: string;
  partnerIdOnRecord: string | null;
  unitPrice: string;
  currency: string;
  cancellationWindowMs: number;
}

export interface OrderPlacedData {
  orderId: string;
  customerId: string;
  partnerId: string;
  lineItems: OrderLineItem[];
  /** Fingerprint of the request, to tell a resend (same body) from a reused idempotency key. */
  requestFingerprint: string;
  placedAt: string;
}

export type OrderPlaced = DomainEvent<'OrderPlaced', OrderPlacedData>;
export type OrderCompleted = DomainEvent<'OrderCompleted', { completedAt: string }>;
export type OrderEvent = OrderPlaced | OrderCompleted;

export type PlaceOrder = Command<'PlaceOrder', OrderPlacedData>;
export type CompleteOrder = Command<'CompleteOrder', { now: string }>;
export type OrderCommand = PlaceOrder | CompleteOrder;

export type OrderState =
  | { status: 'none' }
  | (OrderPlacedData & { status: 'pending' })
  | (OrderPlacedData & { status: 'completed'; completedAt: string });

export const OrderErrors = {
  notFound: () => new DomainError('order-not-found', 'not-found', 'The order does not exist.'),
  noLineItems: () => new DomainError('order-without-line-items', 'validation', 'An order needs at least one line item.', {}, 'lineItems'),
  idempotencyKeyReused: () =>
    new DomainError(
      'idempotency-key-reused',
      'unprocessable',
      'This Idempotency-Key was already used for an order with a different body.',
    ),
};

function place({ data }: PlaceOrder, state: OrderState): OrderEvent[] {
  if (state.status !== 'none') {
    if (state.requestFingerprint === data.requestFingerprint && state.partnerId === data.partnerId) return [];
    throw OrderErrors.idempotencyKeyReused();
  }
  if (data.lineItems.length === 0) throw OrderErrors.noLineItems();
  return [{ type: 'OrderPlaced', data }];
}

function complete({ data }: CompleteOrder, state: OrderState): OrderEvent[] {
  if (state.status === 'none') throw OrderErrors.notFound();
  if (state.status === 'completed') return [];
  return [{ type: 'OrderCompleted', data: { completedAt: data.now } }];
}

export const orderDecider: Decider<OrderState, OrderCommand, OrderEvent> = {
  decide: (command, state) => (command.type === 'PlaceOrder' ? place(command, state) : complete(command, state)),
  evolve: (state, event) => {
    if (event.type === 'OrderPlaced') return { ...event.data, status: 'pending' };
    if (state.status === 'none') return state;
    return { ...state, status: 'completed', completedAt: event.data.completedAt };
  },
  initialState: () => ({ status: 'none' }),
};

/** The purchase each line item stands for, dated at the order's placement so a late completion buys the same thing. */
export function purchasesOf(order: OrderPlacedData): PurchaseSubscription[] {
  return order.lineItems.map((item) => ({
    type: 'PurchaseSubscription',
    data: {
      subscriptionId: item.subscriptionId,
      customerId: order.customerId,
      partnerId: order.partnerId,
      orderId: order.orderId,
      lineItemNumber: item.lineItemNumber,
      offerId: item.offerId,
      offerName: item.offerName,
      planId: item.planId,
      publisherId: item.publisherId,
      publisherName: item.publisherName,
      quantity: item.quantity,
      limits: { minQuantity: item.minQuantity, maxQuantity: item.maxQuantity },
      termDuration: item.termDuration,
      billingCycle: item.billingCycle,
      friendlyName: item.friendlyName,
      indirectResellerId: item.partnerIdOnRecord,
      unitPrice: item.unitPrice,
      currency: item.currency,
      cancellationWindowMs: item.cancellationWindowMs,
      now: order.placedAt,
    },
  }));
}
