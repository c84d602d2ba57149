import type { ProjectionRow } from '../projections/projection';
import type { OrderLineItemView, OrderView } from './order.view';

/** An order as the customer's order list needs it; `key` is the order id. */
export interface OrderRow extends ProjectionRow {
  readonly partnerId: string;
  readonly customerId: string;
  readonly status: OrderView['status'];
  readonly placedAt: string;
  readonly lineItems: readonly OrderLineItemView[];
}

export function orderRowView(row: OrderRow): OrderView {
  return {
    id: row.key,
    customerId: row.customerId,
    status: row.status,
    creationDate: row.placedAt,
    lineItems: row.lineItems.map((item) => ({ ...item })),
  };
}
