import type { ProjectionRow } from '../projections/projection';

/** A partner's customer, for the partner's customer list; `key` is the customer id. */
export interface CustomerRow extends ProjectionRow {
  readonly partnerId: string;
  readonly companyName: string;
  readonly domain: string | null;
  readonly createdAt: string;
  /** Sandbox: the test clock the customer lives on. */
  readonly testClockId: string | null;
}

export interface CustomerView {
  id: string;
  companyName: string;
  domain: string | null;
  partnerId: string;
  /** Only for a sandbox customer, bound to that test clock at creation. */
  testClockId?: string;
}

export const customerView = (row: {
  key: string;
  partnerId: string;
  companyName: string;
  domain: string | null;
  testClockId: string | null;
}): CustomerView => ({
  id: row.key,
  companyName: row.companyName,
  domain: row.domain,
  partnerId: row.partnerId,
  ...(row.testClockId === null ? {} : { testClockId: row.testClockId }),
});
