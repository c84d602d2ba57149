import type { OrderLineItem, PlacedOrder } from '@mfh/domain';

export interface OrderLineItemView {
  lineItemNumber: number;
  offerId: string;
  planId: string;
  quantity: number;
  termDuration: string;
  billingCycle: string;
  friendlyName: string;
  partnerIdOnRecord: string | null;
  subscriptionId: string;
}

/** An order as Partner Center shows it: `pending` until every line item's subscription exists. */
export interface OrderView {
  id: string;
  customerId: string;
  status: 'pending' | 'completed';
  creationDate: string;
  lineItems: OrderLineItemView[];
}

export function orderLineItemView(item: OrderLineItem): OrderLineItemView {
  return {
    lineItemNumber: item.lineItemNumber,
    offerId: item.offerId,
    planId: item.planId,
    quantity: item.quantity,
    termDuration: item.termDuration,
    billingCycle: item.billingCycle,
    friendlyName: item.friendlyName,
    partnerIdOnRecord: item.partnerIdOnRecord,
    subscriptionId: item.subscriptionId,
  };
}

export function orderView(state: PlacedOrder): OrderView {
  return {
    id: state.orderId,
    customerId: state.customerId,
    status: state.status,
    creationDate: state.placedAt,
    lineItems: state.lineItems.map(orderLineItemView),
  };
}
