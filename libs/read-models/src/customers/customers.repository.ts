import type { Pool } from 'pg';
import { keysetPage, Page, PageRequest } from '../pagination';
import { customerView, CustomerView } from './customers.projection';

export class CustomersRepository {
  constructor(private readonly pool: Pool) {}

  listForPartner(partnerId: string, page: PageRequest): Promise<Page<CustomerView>> {
    return keysetPage<{ id: string; partner_id: string; company_name: string; domain: string | null }, CustomerView>(
      this.pool,
      { table: 'customers', columns: 'partner_id, company_name, domain', where: 'partner_id = $1', params: [partnerId] },
      page,
      (row) => customerView({ key: row.id, partnerId: row.partner_id, companyName: row.company_name, domain: row.domain }),
    );
  }
}
