import { OrderEvent, OrderState } from '@mfh/domain';
import { orderDecider } from '@mfh/domain/deciders';
import type { JsonObject, RecordedEvent } from '@mfh/event-store';
import { placedOrder } from '@mfh/testing';
import { foldBatch } from '../projections/projection';
import type { OrderRow } from './order.row';
import { orderRowView } from './order.row';
import type { PlacedOrder } from '@mfh/domain';
import { orderView } from './order.view';
import { ordersProjection } from './orders.projection';

const order = placedOrder({ lines: 3 });
const events: OrderEvent[] = [
  { type: 'OrderPlaced', data: order },
  { type: 'OrderCompleted', data: { completedAt: '2026-03-01T10:00:01.000Z' } },
];
const log: RecordedEvent[] = events.map((event, revision) => ({
  id: `20000000-0000-4000-8000-00000000000${revision}`,
  streamId: `order-${order.orderId}`,
  revision,
  position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
  type: event.type,
  data: event.data as unknown as JsonObject,
  metadata: {},
  recordedAt: new Date('2026-03-01T10:00:02Z'),
  hash: 'h',
  previousHash: null,
}));

describe('the orders list row', () => {
  it('shows, after every event, the order as the command side’s state shows it', () => {
    let state: OrderState = orderDecider.initialState();
    for (let n = 1; n <= events.length; n++) {
      state = orderDecider.evolve(state, events[n - 1]);
      const rows = new Map<string, OrderRow>();
      foldBatch(ordersProjection, rows, log.slice(0, n));
      expect(orderRowView(rows.get(order.orderId)!)).toEqual(orderView(state as PlacedOrder));
    }
  });

  it('is the same replayed twice, and ignores a completion without an order', () => {
    const rows = new Map<string, OrderRow>();
    foldBatch(ordersProjection, rows, log);
    const once = rows.get(order.orderId);
    expect(foldBatch(ordersProjection, rows, log)).toEqual([]);
    expect(rows.get(order.orderId)).toEqual(once);
    expect(once).toMatchObject({ status: 'completed', revision: 1 });
    const alone = new Map<string, OrderRow>();
    expect(foldBatch(ordersProjection, alone, log.slice(1))).toEqual([]);
  });
});
