import type { ScheduledNextTerm } from '@mfh/domain';
import type { Pool, PoolClient } from 'pg';
import { isoInstant, keysetPage, Page, PageRequest } from '../pagination';
import { TERM_CHARGES_CHANNEL_SQL, TermChargesCache } from './term-charges-cache';
import type { PendingOperationRow, SubscriptionRow, TermCharges } from './subscription.row';

/** The `subscriptions` table as PostgreSQL returns it (dates as text, so that no time zone touches them). */
interface SubscriptionRecord {
  id: string;
  revision: string;
  partner_id: string;
  customer_id: string;
  order_id: string;
  line_item_number: number;
  offer_id: string;
  offer_name: string;
  plan_id: string;
  publisher_id: string;
  publisher_name: string;
  friendly_name: string;
  quantity: number;
  status: SubscriptionRow['status'];
  term_duration: SubscriptionRow['termDuration'];
  billing_cycle: SubscriptionRow['billingCycle'];
  auto_renew_enabled: boolean;
  indirect_reseller_id: string | null;
  created_at: string;
  cancellation_allowed_until: string;
  licenses_assigned: boolean;
  fulfillment_confirmed: boolean;
  action: SubscriptionRow['action'];
  billing_start_date: string | null;
  term_start: string | null;
  term_end: string | null;
  cycle_start: string | null;
  term_charges: TermCharges | null;
  pending_operations: PendingOperationRow[];
  suspension_reasons: string[] | null;
  is_trial: boolean;
  test_clock_id: string | null;
  scheduled_next_term: ScheduledNextTerm | null;
}

const COLUMNS = `revision, partner_id, customer_id, order_id, line_item_number, offer_id, offer_name, plan_id, publisher_id,
  publisher_name, friendly_name, quantity, status, term_duration, billing_cycle, auto_renew_enabled, indirect_reseller_id,
  ${isoInstant('cancellation_allowed_until')} AS cancellation_allowed_until, licenses_assigned, fulfillment_confirmed, action, billing_start_date::text AS billing_start_date,
  term_start::text AS term_start, term_end::text AS term_end, cycle_start::text AS cycle_start, term_charges, pending_operations, suspension_reasons, is_trial, test_clock_id, scheduled_next_term`;

function fromRecord(r: SubscriptionRecord): SubscriptionRow {
  return {
    key: r.id,
    revision: Number(r.revision),
    partnerId: r.partner_id,
    customerId: r.customer_id,
    orderId: r.order_id,
    lineItemNumber: r.line_item_number,
    offerId: r.offer_id,
    offerName: r.offer_name,
    planId: r.plan_id,
    publisherId: r.publisher_id,
    publisherName: r.publisher_name,
    friendlyName: r.friendly_name,
    quantity: r.quantity,
    status: r.status,
    termDuration: r.term_duration,
    billingCycle: r.billing_cycle,
    autoRenewEnabled: r.auto_renew_enabled,
    indirectResellerId: r.indirect_reseller_id,
    purchasedAt: r.created_at,
    cancellationAllowedUntil: r.cancellation_allowed_until,
    licensesAssigned: r.licenses_assigned,
    fulfillmentConfirmed: r.fulfillment_confirmed,
    action: r.action,
    billingStartDate: r.billing_start_date,
    termStart: r.term_start,
    termEnd: r.term_end,
    cycleStart: r.cycle_start,
    termCharges: r.term_charges,
    pendingOperations: r.pending_operations,
    suspensionReasons: r.suspension_reasons,
    isTrial: r.is_trial,
    testClockId: r.test_clock_id,
    scheduledNextTerm: r.scheduled_next_term,
  };
}

/** What jsonb_to_recordset reads back into the table's columns. */
function toRecord(row: SubscriptionRow): Record<string, unknown> {
  return {
    id: row.key,
    revision: row.revision,
    partner_id: row.partnerId,
    customer_id: row.customerId,
    order_id: row.orderId,
    line_item_number: row.lineItemNumber,
    offer_id: row.offerId,
    offer_name: row.offerName,
    plan_id: row.planId,
    publisher_id: row.publisherId,
    publisher_name: row.publisherName,
    friendly_name: row.friendlyName,
    quantity: row.quantity,
    status: row.status,
    term_duration: row.termDuration,
    billing_cycle: row.billingCycle,
    auto_renew_enabled: row.autoRenewEnabled,
    indirect_reseller_id: row.indirectResellerId,
    created_at: row.purchasedAt,
    cancellation_allowed_until: row.cancellationAllowedUntil,
    licenses_assigned: row.licensesAssigned,
    fulfillment_confirmed: row.fulfillmentConfirmed,
    action: row.action,
    billing_start_date: row.billingStartDate,
    term_start: row.termStart,
    term_end: row.termEnd,
    cycle_start: row.cycleStart,
    term_charges: row.termCharges,
    pending_operations: row.pendingOperations,
    suspension_reasons: row.suspensionReasons,
    is_trial: row.isTrial,
    test_clock_id: row.testClockId,
    scheduled_next_term: row.scheduledNextTerm,
  };
}

/**
 * A row's version: the transaction that wrote it (PostgreSQL's xmin), which every write renews, with
 * the stream revision it holds. Two committed versions of a row share neither, short of four billion
 * transactions later and the same revision.
 */
const VERSION = `xmin::text || '/' || revision AS version`;

/** A row of a list page, and which version of it the page holds. */
export interface RowVersion {
  id: string;
  version: string;
}

export interface Versioned<Row> {
  version: string;
  row: Row;
}

const UPSERT_SUBSCRIPTIONS = `INSERT INTO subscriptions (id, revision, partner_id, customer_id, order_id, line_item_number, offer_id, offer_name, plan_id,
         publisher_id, publisher_name, friendly_name, quantity, status, term_duration, billing_cycle, auto_renew_enabled,
         indirect_reseller_id, created_at, cancellation_allowed_until, licenses_assigned, fulfillment_confirmed, action,
         billing_start_date, term_start, term_end, cycle_start, term_charges, pending_operations, suspension_reasons, is_trial, test_clock_id,
         scheduled_next_term)
       SELECT r.id, r.revision, r.partner_id, r.customer_id, r.order_id, r.line_item_number, r.offer_id, r.offer_name, r.plan_id,
         r.publisher_id, r.publisher_name, r.friendly_name, r.quantity, r.status, r.term_duration, r.billing_cycle, r.auto_renew_enabled,
         r.indirect_reseller_id, r.created_at, r.cancellation_allowed_until, r.licenses_assigned, r.fulfillment_confirmed, r.action,
         r.billing_start_date, r.term_start, r.term_end, r.cycle_start, r.term_charges, r.pending_operations, r.suspension_reasons, r.is_trial, r.test_clock_id,
         r.scheduled_next_term
       FROM jsonb_to_recordset($1::jsonb) AS r(
         id uuid, revision bigint, partner_id text, customer_id uuid, order_id uuid, line_item_number integer, offer_id text,
         offer_name text, plan_id text, publisher_id text, publisher_name text, friendly_name text, quantity integer, status text,
         term_duration text, billing_cycle text, auto_renew_enabled boolean, indirect_reseller_id text, created_at timestamptz,
         cancellation_allowed_until timestamptz, licenses_assigned boolean, fulfillment_confirmed boolean, action jsonb,
         billing_start_date date, term_start date, term_end date, cycle_start date, term_charges jsonb, pending_operations jsonb,
         suspension_reasons jsonb, is_trial boolean, test_clock_id uuid, scheduled_next_term jsonb)
       ON CONFLICT (id) DO UPDATE SET
         revision = EXCLUDED.revision, partner_id = EXCLUDED.partner_id, customer_id = EXCLUDED.customer_id,
         order_id = EXCLUDED.order_id, line_item_number = EXCLUDED.line_item_number, offer_id = EXCLUDED.offer_id,
         offer_name = EXCLUDED.offer_name, plan_id = EXCLUDED.plan_id, publisher_id = EXCLUDED.publisher_id,
         publisher_name = EXCLUDED.publisher_name, friendly_name = EXCLUDED.friendly_name, quantity = EXCLUDED.quantity,
         status = EXCLUDED.status, term_duration = EXCLUDED.term_duration, billing_cycle = EXCLUDED.billing_cycle,
         auto_renew_enabled = EXCLUDED.auto_renew_enabled, indirect_reseller_id = EXCLUDED.indirect_reseller_id,
         created_at = EXCLUDED.created_at, cancellation_allowed_until = EXCLUDED.cancellation_allowed_until,
         licenses_assigned = EXCLUDED.licenses_assigned, fulfillment_confirmed = EXCLUDED.fulfillment_confirmed,
         action = EXCLUDED.action, billing_start_date = EXCLUDED.billing_start_date, term_start = EXCLUDED.term_start,
         term_end = EXCLUDED.term_end, cycle_start = EXCLUDED.cycle_start, term_charges = EXCLUDED.term_charges,
         pending_operations = EXCLUDED.pending_operations, suspension_reasons = EXCLUDED.suspension_reasons, is_trial = EXCLUDED.is_trial,
         test_clock_id = EXCLUDED.test_clock_id, scheduled_next_term = EXCLUDED.scheduled_next_term`;

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const subscriptionsTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, SubscriptionRow>> {
    const { rows } = await client.query<SubscriptionRecord>(`SELECT id, ${isoInstant('created_at')} AS created_at, ${COLUMNS} FROM subscriptions WHERE id = ANY($1::uuid[])`, [keys]);
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  /**
   * Upserts the rows. Into live tables, the rows whose term charges this changes are announced to
   * the readers that keep them (TermChargesCache) at the transaction's commit; `before` sees the rows
   * as the statement found them. Fresh tables (a rebuild's) have nothing to compare and no readers.
   */
  async save(client: PoolClient, rows: readonly SubscriptionRow[], fresh = false): Promise<void> {
    if (rows.length === 0) return;
    const records = JSON.stringify(rows.map(toRecord));
    if (fresh) {
      await client.query(UPSERT_SUBSCRIPTIONS, [records]);
      return;
    }
    await client.query(
      `WITH before AS (SELECT id, term_charges FROM subscriptions WHERE id = ANY($2::uuid[])),
       saved AS (${UPSERT_SUBSCRIPTIONS} RETURNING id, term_charges)
       SELECT count(pg_notify(${TERM_CHARGES_CHANNEL_SQL}, saved.id::text)) FROM saved LEFT JOIN before USING (id)
       WHERE before.term_charges IS DISTINCT FROM saved.term_charges`,
      [records, rows.map((row) => row.key)],
    );
  },
};

/** Reads of the subscriptions read model; writes happen only through the projection. */
export class SubscriptionsRepository {
  private readonly charges: TermChargesCache;

  constructor(private readonly pool: Pool) {
    this.charges = new TermChargesCache(pool);
  }

  /** Stops listening for changed term charges (the pool is its owner's to end). */
  close(): Promise<void> {
    return this.charges.close();
  }

  /**
   * Which of one of the partner's customers' subscriptions are on the page, oldest first, and the
   * version of each row: a reader that kept a row at that version needs nothing more, and
   * {@link versionedRows} reads the others. A page of rows costs several times a page of versions.
   */
  listForCustomer(partnerId: string, customerId: string, page: PageRequest): Promise<Page<RowVersion>> {
    return keysetPage<{ id: string; version: string }, RowVersion>(
      this.pool,
      { table: 'subscriptions', columns: VERSION, where: 'customer_id = $1 AND partner_id = $2', params: [customerId, partnerId] },
      page,
      (record) => ({ id: record.id, version: record.version }),
    );
  }

  /** The rows of these subscriptions as they are now, each with its version; one that is not there is left out. */
  async versionedRows(ids: readonly string[]): Promise<Versioned<SubscriptionRow>[]> {
    const { rows } = await this.pool.query<SubscriptionRecord & { version: string }>(
      `SELECT id, ${isoInstant('created_at')} AS created_at, ${VERSION}, ${COLUMNS} FROM subscriptions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((record) => ({ version: record.version, row: fromRecord(record) }));
  }

  /** Every subscription of the publisher's offers, oldest first, cancelled ones included (they are never deleted). */
  listForPublisher(publisherId: string, page: PageRequest): Promise<Page<SubscriptionRow>> {
    return keysetPage<SubscriptionRecord, SubscriptionRow>(
      this.pool,
      { table: 'subscriptions', columns: COLUMNS, where: 'publisher_id = $1', params: [publisherId] },
      page,
      fromRecord,
    );
  }

  /** What the charger recorded for the subscription's latest charged term; null when nothing yet, or no such subscription. */
  termCharges(id: string): Promise<TermCharges | null> {
    return this.charges.of(id);
  }

  /**
   * The partner's subscriptions on the wall clock (`testClockId` null) or on one test clock, bought
   * before `purchasedBefore`: every one that can have a charge caused before then.
   */
  async idsOfPartner(partnerId: string, testClockId: string | null, purchasedBefore: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM subscriptions WHERE partner_id = $1 AND test_clock_id IS NOT DISTINCT FROM $2::uuid AND created_at < $3 ORDER BY created_at, id',
      [partnerId, testClockId, purchasedBefore],
    );
    return rows.map((row) => row.id);
  }

  /**
   * The last stream revision the projection applied, by subscription id (all of them when `ids` is
   * omitted): what the log once held, for telling a stream whose last events were deleted.
   */
  async appliedRevisions(ids?: readonly string[]): Promise<Map<string, number>> {
    const { rows } = ids
      ? await this.pool.query<{ id: string; revision: string }>('SELECT id, revision FROM subscriptions WHERE id = ANY($1::uuid[])', [ids])
      : await this.pool.query<{ id: string; revision: string }>('SELECT id, revision FROM subscriptions');
    return new Map(rows.map((row) => [row.id, Number(row.revision)]));
  }
}
