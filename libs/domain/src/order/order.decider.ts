import { billingCyclesFor } from '../billing/terms';
import type { Command, Decider, DomainEvent } from '../decider';
import { DomainError, isDomainError } from '../errors';
import type { TermDuration } from '../shared/time';
import type { CatalogPlan, PurchaseSubscription } from '../subscription/subscription.commands';
import { subscriptionDecider } from '../subscription/subscription.decider';
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
  /** The plan's free trial, which the subscription starts with; absent for a plan without one. */
  freeTrial?: { duration: TermDuration };
}

export interface OrderPlacedData {
  orderId: string;
  customerId: string;
  partnerId: string;
  lineItems: OrderLineItem[];
  /** Fingerprint of the request, to tell a resend (same body) from a reused idempotency key. */
  requestFingerprint: string;
  placedAt: string;
  /** Only for a customer on a test clock: the order and what it buys then live in that clock's time. */
  testClockId?: string;
}

export type OrderPlaced = DomainEvent<'OrderPlaced', OrderPlacedData>;
export type OrderCompleted = DomainEvent<'OrderCompleted', { completedAt: string }>;
export type OrderEvent = OrderPlaced | OrderCompleted;

/** A line item as requested, with what the catalog holds for it. */
export interface OrderLineRequest {
  /** Derived by the caller. */
  subscriptionId: string;
  offerId: string;
  planId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  friendlyName: string | null;
  partnerIdOnRecord: string | null;
  /** What the catalog holds for this line; null where it has nothing. */
  offer: { id: string; name: string } | null;
  plan: CatalogPlan | null;
  terms: {
    publisherId: string;
    publisherName: string;
    unitPrice: string;
    currency: string;
    cancellationWindowMs: number;
    /** The billing cycles the offer sells the term with. */
    billingCycles: readonly BillingCycle[];
  } | null;
}

export type PlaceOrder = Command<
  'PlaceOrder',
  {
    orderId: string;
    customerId: string;
    partnerId: string;
    lines: OrderLineRequest[];
    requestFingerprint: string;
    placedAt: string;
    testClockId: string | null;
  }
>;
export type CompleteOrder = Command<'CompleteOrder', { now: string }>;
export type OrderCommand = PlaceOrder | CompleteOrder;

export type OrderState =
  | { status: 'none' }
  | (OrderPlacedData & { status: 'pending' })
  | (OrderPlacedData & { status: 'completed'; completedAt: string });

/** An order that exists: placed, then completed. */
export type PlacedOrder = Exclude<OrderState, { status: 'none' }>;

export const OrderErrors = {
  notFound: () => new DomainError('order-not-found', 'not-found', 'The order does not exist.'),
  lineItemNotFound: (orderId: string, lineItemNumber: number) =>
    new DomainError('line-item-not-found', 'not-found', `Order ${orderId} has no line item ${lineItemNumber}.`),
  noLineItems: () => new DomainError('order-without-line-items', 'validation', 'An order needs at least one line item.', {}, 'lineItems'),
  unknownOffer: (index: number, offerId: string) =>
    new DomainError('unknown-offer', 'validation', `lineItems[${index}]: there is no offer ${offerId}.`, { pointer: `/lineItems/${index}/offerId` }),
  unknownPlan: (index: number, offerId: string, planId: string) =>
    new DomainError('unknown-plan', 'validation', `lineItems[${index}]: offer ${offerId} has no plan ${planId}.`, {
      pointer: `/lineItems/${index}/planId`,
    }),
  unavailableTerm: (index: number, termDuration: TermDuration) =>
    new DomainError('unavailable-term', 'validation', `lineItems[${index}]: ${termDuration} is not sold for this plan.`, {
      pointer: `/lineItems/${index}/termDuration`,
    }),
  unavailableBillingCycle: (index: number, termDuration: TermDuration, billingCycle: BillingCycle, sold: readonly BillingCycle[]) =>
    new DomainError(
      'unavailable-billing-cycle',
      'validation',
      `lineItems[${index}]: ${termDuration} is not sold billed ${billingCycle} for this offer; it is sold billed ${sold.join(', ')}.`,
      { pointer: `/lineItems/${index}/billingCycle`, billingCycles: [...sold] },
    ),
  idempotencyKeyReused: () =>
    new DomainError(
      'idempotency-key-reused',
      'unprocessable',
      'This Idempotency-Key was already used for an order with a different body.',
    ),
};

/**
 * Every line is checked against the catalog, then against the purchase rules, before anything is
 * recorded, so an order never half-fails. A resend is checked too, as the catalog may have changed.
 */
function place({ data }: PlaceOrder, state: OrderState): OrderEvent[] {
  if (data.lines.length === 0) throw OrderErrors.noLineItems();
  const order: OrderPlacedData = {
    orderId: data.orderId,
    customerId: data.customerId,
    partnerId: data.partnerId,
    lineItems: data.lines.map(lineItem),
    requestFingerprint: data.requestFingerprint,
    placedAt: data.placedAt,
    ...(data.testClockId === null ? {} : { testClockId: data.testClockId }),
  };
  purchasesOf(order).forEach((purchase, index) => {
    try {
      subscriptionDecider.decide(purchase, subscriptionDecider.initialState());
    } catch (error) {
      if (!isDomainError(error)) throw error;
      throw atLine(error, index);
    }
  });
  if (state.status !== 'none') {
    if (state.requestFingerprint === data.requestFingerprint && state.partnerId === data.partnerId) return [];
    throw OrderErrors.idempotencyKeyReused();
  }
  return [{ type: 'OrderPlaced', data: order }];
}

function lineItem(line: OrderLineRequest, index: number): OrderLineItem {
  const { offer, plan, terms } = line;
  if (!offer) throw OrderErrors.unknownOffer(index, line.offerId);
  if (!plan || plan.isPrivate) throw OrderErrors.unknownPlan(index, line.offerId, line.planId);
  if (!terms) throw OrderErrors.unavailableTerm(index, line.termDuration);
  // A cycle no term of this length is ever billed in (a month billed annually) is the purchase rule's to name, as it always was.
  if (billingCyclesFor(line.termDuration).includes(line.billingCycle) && !terms.billingCycles.includes(line.billingCycle)) {
    throw OrderErrors.unavailableBillingCycle(index, line.termDuration, line.billingCycle, terms.billingCycles);
  }
  return {
    lineItemNumber: index + 1,
    subscriptionId: line.subscriptionId,
    offerId: offer.id,
    offerName: offer.name,
    planId: plan.id,
    publisherId: terms.publisherId,
    publisherName: terms.publisherName,
    quantity: line.quantity,
    minQuantity: plan.minQuantity,
    maxQuantity: plan.maxQuantity,
    termDuration: line.termDuration,
    billingCycle: line.billingCycle,
    friendlyName: line.friendlyName ?? offer.name,
    partnerIdOnRecord: line.partnerIdOnRecord,
    unitPrice: terms.unitPrice,
    currency: terms.currency,
    cancellationWindowMs: terms.cancellationWindowMs,
    ...(plan.freeTrial ? { freeTrial: { duration: plan.freeTrial.duration } } : {}),
  };
}

const LINE_ITEM_FIELDS: Record<string, string> = { indirectResellerId: 'partnerIdOnRecord' };

/** The same refusal, pointing at the line item field it is about. */
function atLine(error: DomainError, index: number): DomainError {
  const field = error.field ? `/${LINE_ITEM_FIELDS[error.field] ?? error.field}` : '';
  const pointer = `/lineItems/${index}${field}`;
  return new DomainError(error.code, error.kind, `lineItems[${index}]: ${error.message}`, { ...error.extensions, pointer }, error.field);
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
  testClockOf: (state) => (state.status === 'none' ? null : (state.testClockId ?? null)),
};

/** The free trials the order's lines start, to be claimed on the customer's stream before the order is placed. */
export function freeTrialClaims(order: Pick<OrderPlacedData, 'lineItems'>): { offerId: string; subscriptionId: string; lineIndex: number }[] {
  return order.lineItems
    .filter((item) => item.freeTrial !== undefined)
    .map((item) => ({ offerId: item.offerId, subscriptionId: item.subscriptionId, lineIndex: item.lineItemNumber - 1 }));
}

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
      testClockId: order.testClockId ?? null,
      ...(item.freeTrial ? { freeTrial: item.freeTrial } : {}),
      now: order.placedAt,
    },
  }));
}
