import type { CustomerEvent } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { PoolClient } from 'pg';
import type { Projection, ProjectionRow } from '../projections/projection';

export interface CustomerView {
  id: string;
  companyName: string;
  domain: string | null;
  partnerId: string;
}

export interface CustomerRow extends ProjectionRow {
  readonly partnerId: string;
  readonly companyName: string;
  readonly domain: string | null;
  readonly createdAt: string;
}

export const customerView = (row: { key: string; partnerId: string; companyName: string; domain: string | null }): CustomerView => ({
  id: row.key,
  companyName: row.companyName,
  domain: row.domain,
  partnerId: row.partnerId,
});

const STREAM = /^customer-(.+)$/;

export const customersProjection: Projection<CustomerRow> = {
  name: 'customers',
  tables: ['customers'],

  keyOf: (event) => (event.type === 'CustomerCreated' ? (STREAM.exec(event.streamId)?.[1] ?? null) : null),

  evolve(row: CustomerRow | null, event: RecordedEvent): CustomerRow | null {
    if (event.type !== 'CustomerCreated') return row;
    const { data } = event as unknown as CustomerEvent;
    return {
      key: data.customerId,
      revision: event.revision,
      partnerId: data.partnerId,
      companyName: data.companyName,
      domain: data.domain,
      createdAt: data.createdAt,
    };
  },

  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, CustomerRow>> {
    const { rows } = await client.query<{
      id: string;
      revision: string;
      partner_id: string;
      company_name: string;
      domain: string | null;
      created_at: Date;
    }>('SELECT id, revision, partner_id, company_name, domain, created_at FROM customers WHERE id = ANY($1::uuid[])', [keys]);
    return new Map(
      rows.map((r) => [
        r.id,
        {
          key: r.id,
          revision: Number(r.revision),
          partnerId: r.partner_id,
          companyName: r.company_name,
          domain: r.domain,
          createdAt: r.created_at.toISOString(),
        },
      ]),
    );
  },

  async save(client: PoolClient, rows: readonly CustomerRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO customers (id, partner_id, company_name, domain, created_at, revision)
       SELECT r.id, r.partner_id, r.company_name, r.domain, r.created_at, r.revision
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, partner_id text, company_name text, domain text, created_at timestamptz, revision bigint)
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
          })),
        ),
      ],
    );
  },
};
