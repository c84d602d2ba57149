import type { Pool, PoolClient } from 'pg';
import { isoInstant, keysetPage, Page, PageRequest } from '../pagination';
import { CustomerRow, customerView, CustomerView } from './customer.row';

/** The `customers` table as PostgreSQL returns it. */
interface CustomerRecord {
  id: string;
  revision: string;
  partner_id: string;
  company_name: string;
  domain: string | null;
  created_at: string;
  test_clock_id: string | null;
}

const fromRecord = (r: CustomerRecord): CustomerRow => ({
  key: r.id,
  revision: Number(r.revision),
  partnerId: r.partner_id,
  companyName: r.company_name,
  domain: r.domain,
  createdAt: r.created_at,
  testClockId: r.test_clock_id,
});

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const customersTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, CustomerRow>> {
    const { rows } = await client.query<CustomerRecord>(
      `SELECT id, revision, partner_id, company_name, domain, ${isoInstant('created_at')} AS created_at, test_clock_id FROM customers WHERE id = ANY($1::uuid[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  async save(client: PoolClient, rows: readonly CustomerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO customers (id, partner_id, company_name, domain, created_at, revision, test_clock_id)
       SELECT r.id, r.partner_id, r.company_name, r.domain, r.created_at, r.revision, r.test_clock_id
       FROM jsonb_to_recordset($1::jsonb)
         AS r(id uuid, partner_id text, company_name text, domain text, created_at timestamptz, revision bigint, test_clock_id uuid)
       ON CONFLICT (id) DO UPDATE SET company_name = EXCLUDED.company_name, domain = EXCLUDED.domain, revision = EXCLUDED.revision`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            partner_id: r.partnerId,
            company_name: r.companyName,
            domain: r.domain,
            created_at: r.createdAt,
            revision: r.revision,
            test_clock_id: r.testClockId,
          })),
        ),
      ],
    );
  },
};

/** Reads of the customers read model; writes happen only through the projection. */
export class CustomersRepository {
  constructor(private readonly pool: Pool) {}

  /** The partner's customers, oldest first. */
  listForPartner(partnerId: string, page: PageRequest): Promise<Page<CustomerView>> {
    return keysetPage<CustomerRecord, CustomerView>(
      this.pool,
      { table: 'customers', columns: 'revision, partner_id, company_name, domain, test_clock_id', where: 'partner_id = $1', params: [partnerId] },
      page,
      (record) => customerView(fromRecord(record)),
    );
  }
}
