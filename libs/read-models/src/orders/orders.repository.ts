import type { Pool } from 'pg';
import { keysetPage, Page, PageRequest } from '../pagination';
import { orderView, OrderView } from './order.view';
import type { PlacedOrder } from './orders.projection';

export class OrdersRepository {
  constructor(private readonly pool: Pool) {}

  listForCustomer(partnerId: string, customerId: string, page: PageRequest): Promise<Page<OrderView>> {
    return keysetPage<{ state: PlacedOrder }, OrderView>(
      this.pool,
      { table: 'orders', columns: 'state', where: 'customer_id = $1 AND partner_id = $2', params: [customerId, partnerId] },
      page,
      (row) => orderView(row.state),
    );
  }
}
