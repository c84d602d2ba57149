import type { Pool, PoolClient } from 'pg';
import { isoInstant, keysetPage, Page, PageRequest } from '../pagination';
import { OrderRow, orderRowView } from './order.row';
import type { OrderView } from './order.view';

/** The `orders` table as PostgreSQL returns it. */
interface OrderRecord {
  id: string;
  revision: string;
  partner_id: string;
  customer_id: string;
  status: OrderRow['status'];
  created_at: string;
  line_items: OrderRow['lineItems'];
}

const COLUMNS = 'revision, partner_id, customer_id, status, line_items';

const fromRecord = (r: OrderRecord): OrderRow => ({
  key: r.id,
  revision: Number(r.revision),
  partnerId: r.partner_id,
  customerId: r.customer_id,
  status: r.status,
  placedAt: r.created_at,
  lineItems: r.line_items,
});

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const ordersTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, OrderRow>> {
    const { rows } = await client.query<OrderRecord>(`SELECT id, ${isoInstant('created_at')} AS created_at, ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[])`, [keys]);
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  async save(client: PoolClient, rows: readonly OrderRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO orders (id, revision, partner_id, customer_id, status, created_at, line_items)
       SELECT r.id, r.revision, r.partner_id, r.customer_id, r.status, r.created_at, r.line_items
       FROM jsonb_to_recordset($1::jsonb) AS r(
         id uuid, revision bigint, partner_id text, customer_id uuid, status text, created_at timestamptz, line_items jsonb)
       ON CONFLICT (id) DO UPDATE SET
         revision = EXCLUDED.revision, partner_id = EXCLUDED.partner_id, customer_id = EXCLUDED.customer_id,
         status = EXCLUDED.status, created_at = EXCLUDED.created_at, line_items = EXCLUDED.line_items`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            revision: r.revision,
            partner_id: r.partnerId,
            customer_id: r.customerId,
            status: r.status,
            created_at: r.placedAt,
            line_items: r.lineItems,
          })),
        ),
      ],
    );
  },
};

/** Reads of the orders read model; writes happen only through the projection. */
export class OrdersRepository {
  constructor(private readonly pool: Pool) {}

  /** The orders of one of the partner's customers, oldest first. */
  listForCustomer(partnerId: string, customerId: string, page: PageRequest): Promise<Page<OrderView>> {
    return keysetPage<OrderRecord, OrderView>(
      this.pool,
      { table: 'orders', columns: COLUMNS, where: 'customer_id = $1 AND partner_id = $2', params: [customerId, partnerId] },
      page,
      (record) => orderRowView(fromRecord(record)),
    );
  }
}
