import { OrderEvent, OrderState, orderDecider } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { PoolClient } from 'pg';
import type { Projection, ProjectionRow } from '../projections/projection';

export type PlacedOrder = Exclude<OrderState, { status: 'none' }>;

export interface OrderRow extends ProjectionRow {
  readonly state: PlacedOrder;
}

const STREAM = /^order-(.+)$/;
const ORDER_EVENTS = new Set(['OrderPlaced', 'OrderCompleted']);

export const ordersProjection: Projection<OrderRow> = {
  name: 'orders',
  tables: ['orders'],

  keyOf: (event) => (ORDER_EVENTS.has(event.type) ? (STREAM.exec(event.streamId)?.[1] ?? null) : null),

  evolve(row: OrderRow | null, event: RecordedEvent): OrderRow | null {
    const state = orderDecider.evolve(row?.state ?? orderDecider.initialState(), event as unknown as OrderEvent);
    if (state.status === 'none') return row;
    return { key: state.orderId, revision: event.revision, state };
  },

  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, OrderRow>> {
    const { rows } = await client.query<{ id: string; revision: string; state: PlacedOrder }>(
      'SELECT id, revision, state FROM orders WHERE id = ANY($1::uuid[])',
      [keys],
    );
    return new Map(rows.map((r) => [r.id, { key: r.id, revision: Number(r.revision), state: r.state }]));
  },

  async save(client: PoolClient, rows: readonly OrderRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO orders (id, partner_id, customer_id, created_at, revision, state)
       SELECT r.id, r.partner_id, r.customer_id, r.created_at, r.revision, r.state
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, partner_id text, customer_id uuid, created_at timestamptz, revision bigint, state jsonb)
       ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            partner_id: r.state.partnerId,
            customer_id: r.state.customerId,
            created_at: r.state.placedAt,
            revision: r.revision,
            state: r.state,
          })),
        ),
      ],
    );
  },
};
