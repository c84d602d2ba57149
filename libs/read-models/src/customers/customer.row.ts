import type { ProjectionRow } from '../projections/projection';

/** A partner's customer, for the partner's customer list; `key` is the customer id. */
export interface CustomerRow extends ProjectionRow {
  readonly partnerId: string;
  readonly companyName: string;
  readonly domain: string | null;
  readonly createdAt: string;
}

export interface CustomerView {
  id: string;
  companyName: string;
  domain: string | null;
  partnerId: string;
}

export const customerView = (row: { key: string; partnerId: string; companyName: string; domain: string | null }): CustomerView => ({
  id: row.key,
  companyName: row.companyName,
  domain: row.domain,
  partnerId: row.partnerId,
});
