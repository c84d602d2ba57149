import type { OrderEvent } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import type { OrderRow } from './order.row';
import { orderLineItemView } from './order.view';
import { ordersTable } from './orders.repository';

export const orderRowEvents = eventsOfType<OrderEvent>()('OrderPlaced', 'OrderCompleted');
export type OrderRowEvent = GuardedEvent<typeof orderRowEvents>;

const STREAM = /^order-(.+)$/;

export function evolveOrderRow(row: OrderRow | null, event: OrderRowEvent): OrderRow | null {
  switch (event.type) {
    case 'OrderPlaced': {
      const d = event.data;
      return {
        key: d.orderId,
        revision: event.revision,
        partnerId: d.partnerId,
        customerId: d.customerId,
        status: 'pending',
        placedAt: d.placedAt,
        lineItems: d.lineItems.map(orderLineItemView),
      };
    }
    case 'OrderCompleted':
      return row && { ...row, status: 'completed', revision: event.revision };
    default:
      return unknownEvent(event, row);
  }
}

/** The compiler checks that every handled type has its case. */
const unknownEvent = (_event: never, row: OrderRow | null): OrderRow | null => row;

/** Every order, for its customer's order list. */
export const ordersProjection: Projection<OrderRow, OrderRowEvent> = {
  name: 'orders',
  tables: ['orders'],
  canHandle: orderRowEvents,
  keyOf: (event) => STREAM.exec(event.streamId)?.[1] ?? null,
  evolve: evolveOrderRow,
  load: ordersTable.load,
  save: ordersTable.save,
};
