import { invoiceCloseDueAt } from '@mfh/domain';
import { derivedId } from '@mfh/event-store';
import type { Pool, PoolClient } from 'pg';
import { decodeToken, encodeToken, InvalidContinuationTokenError, isOurInstant, Page, PageRequest } from '../pagination';
import type { InvoiceLineView } from './invoice-line.view';
import { InvoiceLineRow, InvoiceRow, invoiceView, InvoiceView } from './invoice.row';

/** The `invoices` table as PostgreSQL returns it (dates as text, so that no time zone touches them). */
interface InvoiceRecord {
  id: string;
  revision: string;
  partner_id: string;
  test_clock_id: string | null;
  currency: string;
  period_start: string;
  period_end: string;
  status: InvoiceRow['status'];
  invoice_date: Date | null;
  total: string;
  line_count: number;
  lines_hash: string | null;
}

/** An invoice without its lines. */
export type InvoiceSummary = Omit<InvoiceRow, 'newLines'>;

const COLUMNS = `revision, partner_id, test_clock_id, currency, period_start::text AS period_start, period_end::text AS period_end, status,
  invoice_date, total, line_count, lines_hash`;

const fromRecord = (r: InvoiceRecord): InvoiceSummary => ({
  key: r.id,
  revision: Number(r.revision),
  partnerId: r.partner_id,
  testClockId: r.test_clock_id,
  currency: r.currency,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  status: r.status,
  invoiceDate: r.invoice_date?.toISOString() ?? null,
  total: Number(r.total),
  lineCount: r.line_count,
  linesHash: r.lines_hash,
});

/** The projection's side of the tables: invoices by key with none of their lines, upserts, and the batch's new lines, inside the runner's transaction. */
export const invoicesTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, InvoiceRow>> {
    const { rows } = await client.query<InvoiceRecord>(`SELECT id, ${COLUMNS} FROM invoices WHERE id = ANY($1::text[])`, [keys]);
    return new Map(rows.map((r) => [r.id, { ...fromRecord(r), newLines: [] }]));
  },

  async save(client: PoolClient, rows: readonly InvoiceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO invoices (id, revision, partner_id, test_clock_id, currency, period_start, period_end, status, invoice_date, total, line_count, lines_hash)
       SELECT r.id, r.revision, r.partner_id, r.test_clock_id, r.currency, r.period_start, r.period_end, r.status, r.invoice_date, r.total,
         r.line_count, r.lines_hash
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, revision bigint, partner_id text, test_clock_id text, currency text, period_start date,
         period_end date, status text, invoice_date timestamptz, total bigint, line_count integer, lines_hash text)
       ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, status = EXCLUDED.status, invoice_date = EXCLUDED.invoice_date,
         total = EXCLUDED.total, line_count = EXCLUDED.line_count, lines_hash = EXCLUDED.lines_hash`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            revision: r.revision,
            partner_id: r.partnerId,
            test_clock_id: r.testClockId,
            currency: r.currency,
            period_start: r.periodStart,
            period_end: r.periodEnd,
            status: r.status,
            invoice_date: r.invoiceDate,
            total: r.total,
            line_count: r.lineCount,
            lines_hash: r.linesHash,
          })),
        ),
      ],
    );
    const lines = rows.flatMap((r) => r.newLines.map((line) => ({ invoiceId: r.key, ...line })));
    if (lines.length === 0) return;
    // A replayed batch finds its lines already there.
    await client.query(
      `INSERT INTO invoice_lines (id, invoice_id, revision, line)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[])
       ON CONFLICT (id) DO NOTHING`,
      [lines.map((l) => l.id), lines.map((l) => l.invoiceId), lines.map((l) => l.revision), lines.map((l) => l.json)],
    );
  },
};

/** An open invoice of a test clock, due to be issued at `dueAt` in the clock's time. */
export interface InvoiceCloseTimer {
  invoiceId: string;
  timer: { id: string; kind: 'invoice-close' };
  dueAt: string;
}

/** Lines of one invoice in stream order, by keyset on their revision. */
export interface LineRange {
  /** Exclusive; -1 from the first line. */
  afterRevision: number;
  /** Inclusive. */
  throughRevision: number;
}

const INVOICE_ID = /^[A-Za-z0-9-]{1,200}$/;

const invoiceToken = (invoice: { invoiceDate: string; id: string }): string => encodeToken([invoice.invoiceDate, invoice.id]);
const decodeInvoiceToken = (token: string) =>
  decodeToken(token, (v): v is [string, string] => v.length === 2 && isOurInstant(v[0]) && typeof v[1] === 'string' && INVOICE_ID.test(v[1]));

const lineToken = (revision: number): string => encodeToken([revision]);
const decodeLineToken = (token: string) => decodeToken(token, (v): v is [number] => v.length === 1 && Number.isSafeInteger(v[0]) && (v[0] as number) >= 0);

/** Where a page of lines starts: after the token's revision, or at the first line. */
function lineCursor(page: PageRequest): number {
  if (!page.continuationToken) return -1;
  const cursor = decodeLineToken(page.continuationToken);
  if (!cursor) throw new InvalidContinuationTokenError();
  return cursor[0];
}

function linePage(rows: readonly { revision: string; line: string }[], size: number, lineCount: number): Page<string> {
  const more = rows.length > size;
  const pageRows = more ? rows.slice(0, size) : rows;
  return {
    items: pageRows.map((r) => r.line),
    totalCount: lineCount,
    continuationToken: more ? lineToken(Number(pageRows[pageRows.length - 1].revision)) : null,
  };
}

/** Reads of the invoices read model; writes happen only through the projection. */
export class InvoicesRepository {
  constructor(private readonly pool: Pool) {}

  /** One invoice, open or issued; null when there is none with that id. */
  async find(invoiceId: string): Promise<InvoiceSummary | null> {
    const { rows } = await this.pool.query<InvoiceRecord>(`SELECT id, ${COLUMNS} FROM invoices WHERE id = $1`, [invoiceId]);
    return rows.length === 0 ? null : fromRecord(rows[0]);
  }

  /** The partner's issued invoices, newest first: those of one test clock, or (null) the real ones. */
  async listIssued(partnerId: string, testClockId: string | null, page: PageRequest): Promise<Page<InvoiceView>> {
    let cursor: [string, string] | null = null;
    if (page.continuationToken) {
      cursor = decodeInvoiceToken(page.continuationToken);
      if (!cursor) throw new InvalidContinuationTokenError();
    }
    const where = "partner_id = $1 AND status = 'issued' AND test_clock_id IS NOT DISTINCT FROM $2";
    const [{ rows }, counted] = await Promise.all([
      this.pool.query<InvoiceRecord>(
        `SELECT id, ${COLUMNS} FROM invoices
         WHERE ${where} AND ($3::timestamptz IS NULL OR (invoice_date, id) < ($3::timestamptz, $4::text))
         ORDER BY invoice_date DESC, id DESC LIMIT $5`,
        [partnerId, testClockId, cursor?.[0] ?? null, cursor?.[1] ?? null, page.size + 1],
      ),
      this.pool.query<{ count: string }>(`SELECT count(*) FROM invoices WHERE ${where}`, [partnerId, testClockId]),
    ]);
    const more = rows.length > page.size;
    const items = (more ? rows.slice(0, page.size) : rows).map((r) => invoiceView({ ...fromRecord(r), invoiceDate: r.invoice_date!.toISOString() }));
    const last = items[items.length - 1];
    return { items, totalCount: Number(counted.rows[0].count), continuationToken: more && last ? invoiceToken(last) : null };
  }

  /**
   * A page of the invoice's lines in order; `totalCount` is its line count as the caller read it.
   * Without an invoice the page is empty, and a token is still checked.
   */
  async lines(invoice: Pick<InvoiceSummary, 'key' | 'lineCount'> | null, page: PageRequest): Promise<Page<InvoiceLineView>> {
    const texts = await this.lineTexts(invoice, page);
    return { ...texts, items: texts.items.map((text) => JSON.parse(text) as InvoiceLineView) };
  }

  /** The same page as each line's stored JSON text: a page of 500 lines is sent without being parsed and serialised again. */
  async lineTexts(invoice: Pick<InvoiceSummary, 'key' | 'lineCount'> | null, page: PageRequest): Promise<Page<string>> {
    const after = lineCursor(page);
    if (invoice === null) return { items: [], totalCount: 0, continuationToken: null };
    const { rows } = await this.pool.query<{ revision: string; line: string }>(
      'SELECT revision, line FROM invoice_lines WHERE invoice_id = $1 AND revision > $2 ORDER BY revision LIMIT $3',
      [invoice.key, after, page.size + 1],
    );
    return linePage(rows, page.size, invoice.lineCount);
  }

  /**
   * A page of an issued invoice's lines, or null when the partner has no issued invoice of that id:
   * the check and the page are one query, so a page costs one round trip to PostgreSQL, not two.
   */
  async issuedLineTexts(partnerId: string, invoiceId: string, page: PageRequest): Promise<Page<string> | null> {
    const after = lineCursor(page);
    const { rows } = await this.pool.query<{ line_count: number; revision: string | null; line: string | null }>(
      `SELECT i.line_count, l.revision, l.line
       FROM invoices i
       LEFT JOIN LATERAL (SELECT revision, line FROM invoice_lines WHERE invoice_id = i.id AND revision > $3 ORDER BY revision LIMIT $4) l ON true
       WHERE i.id = $1 AND i.partner_id = $2 AND i.status = 'issued'
       ORDER BY l.revision`,
      [invoiceId, partnerId, after, page.size + 1],
    );
    if (rows.length === 0) return null;
    const lines = rows[0].revision === null ? [] : (rows as { revision: string; line: string }[]);
    return linePage(lines, page.size, rows[0].line_count);
  }

  /**
   * The invoice's lines in `range`, a page per query: nothing is held between pages (no transaction,
   * no connection), so a slow reader of a long export costs one page of memory and no pooled session.
   */
  async *linePages(invoiceId: string, range: LineRange, pageSize = 1_000): AsyncGenerator<InvoiceLineRow[]> {
    let after = range.afterRevision;
    for (;;) {
      const { rows } = await this.pool.query<{ id: string; revision: string; line: string }>(
        'SELECT id, revision, line FROM invoice_lines WHERE invoice_id = $1 AND revision > $2 AND revision <= $3 ORDER BY revision LIMIT $4',
        [invoiceId, after, range.throughRevision, pageSize],
      );
      if (rows.length === 0) return;
      const page = rows.map((r) => ({ id: r.id, revision: Number(r.revision), json: r.line }));
      yield page;
      if (rows.length < pageSize) return;
      after = page[page.length - 1].revision;
    }
  }

  /**
   * The next file of an export: up to `lineCount` lines after `afterRevision`, hashed by PostgreSQL
   * as the file's bytes (each line's JSON and a newline, UTF-8), so the worker holds none of them.
   * Null when no line is left.
   */
  async fileDigest(invoiceId: string, range: LineRange, lineCount: number): Promise<{ firstRevision: number; lastRevision: number; lineCount: number; sha256: string } | null> {
    const { rows } = await this.pool.query<{ line_count: number; first_revision: string | null; last_revision: string | null; sha256: string | null }>(
      `SELECT count(*)::int AS line_count, min(revision) AS first_revision, max(revision) AS last_revision,
              encode(sha256(convert_to(string_agg(line || E'\\n', '' ORDER BY revision), 'UTF8')), 'hex') AS sha256
       FROM (SELECT revision, line FROM invoice_lines WHERE invoice_id = $1 AND revision > $2 AND revision <= $3 ORDER BY revision LIMIT $4) AS file`,
      [invoiceId, range.afterRevision, range.throughRevision, lineCount],
    );
    const row = rows[0];
    if (row.line_count === 0) return null;
    return { firstRevision: Number(row.first_revision), lastRevision: Number(row.last_revision), lineCount: row.line_count, sha256: row.sha256! };
  }

  /** The open invoices of a test clock that fall due to be issued by `until`, soonest first. */
  async closingOnTestClock(testClockId: string, until: string, closeDelayMs: number): Promise<InvoiceCloseTimer[]> {
    const { rows } = await this.pool.query<{ id: string; period_end: string }>(
      "SELECT id, period_end::text AS period_end FROM invoices WHERE test_clock_id = $1 AND status = 'open'",
      [testClockId],
    );
    return rows
      .map((r) => ({ invoiceId: r.id, timer: { id: derivedId('timer', 'invoice-close', r.id), kind: 'invoice-close' as const }, dueAt: invoiceCloseDueAt(r.period_end, closeDelayMs) }))
      .filter((timer) => Date.parse(timer.dueAt) <= Date.parse(until))
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.invoiceId.localeCompare(b.invoiceId));
  }
}
