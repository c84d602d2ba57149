import type { Pool } from 'pg';

/** A page of a list ordered by (createdAt, id), with the cursor of the next page while more remain. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  continuationToken: string | null;
}

export interface PageRequest {
  size: number;
  continuationToken?: string | null;
}

export interface Cursor {
  createdAt: string;
  id: string;
}

/** A continuation token: base64url of the JSON array of the values the next page starts after. */
export const encodeToken = (values: readonly unknown[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

/**
 * The values in a continuation token, or null when it is not one of ours: `accept` checks their
 * shape, and only a token that {@link encodeToken} would write byte for byte is ours (base64url
 * without padding, a JSON array without spacing).
 */
export function decodeToken<T extends readonly unknown[]>(token: string, accept: (values: readonly unknown[]) => values is T): T | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    // Buffer's base64url decoder skips characters outside the alphabet and JSON allows spacing: compare the whole token.
    if (Array.isArray(value) && accept(value) && encodeToken(value) === token) return value;
  } catch {
    // not base64url JSON: not ours
  }
  return null;
}

export function encodeCursor(cursor: Cursor): string {
  return encodeToken([cursor.createdAt, cursor.id]);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Instants this system stamps rows with; PostgreSQL refuses some that Date.parse takes (year 0, 2026-02-30). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An instant exactly as Date#toISOString writes it, between 1970 and 9999. */
export function isOurInstant(text: unknown): text is string {
  if (typeof text !== 'string' || !ISO_INSTANT.test(text)) return false;
  const millis = Date.parse(text);
  return millis >= EARLIEST && millis <= LATEST && new Date(millis).toISOString() === text;
}

/**
 * The cursor in a continuation token; null when the token is not one of ours. Only a token that
 * {@link encodeCursor} would write byte for byte is ours: base64url without padding, a JSON array of
 * exactly an instant and a lower-case uuid, nothing else.
 */
export function decodeCursor(token: string): Cursor | null {
  const values = decodeToken(
    token,
    (value): value is [string, string] => value.length === 2 && isOurInstant(value[0]) && typeof value[1] === 'string' && UUID.test(value[1]),
  );
  return values && { createdAt: values[0], id: values[1] };
}

export class InvalidContinuationTokenError extends Error {
  constructor() {
    super('continuationToken is not valid for this list');
    this.name = 'InvalidContinuationTokenError';
  }
}

/** A list over one read-model table; `where` and `columns` are trusted SQL fragments, values go in `params`. */
export interface ListQuery {
  table: string;
  columns: string;
  where: string;
  params: unknown[];
}

/**
 * A timestamptz column as Date#toISOString writes it, whatever the session's time zone (both cut to
 * the millisecond): the rows of a list page carry two instants each, and parsing them into Dates was
 * a tenth of a page's time.
 */
export const isoInstant = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One page of a list ordered by (created_at, id), read by keyset, and the list's size, in one
 * statement (one snapshot, one round trip). One row more than the page size tells whether another
 * page follows. `created_at` comes as text ({@link isoInstant}).
 */
export async function keysetPage<Row, T>(
  pool: Pool,
  query: ListQuery,
  request: PageRequest,
  map: (row: Row) => T,
): Promise<Page<T>> {
  let cursor: Cursor | null = null;
  if (request.continuationToken) {
    cursor = decodeCursor(request.continuationToken);
    if (!cursor) throw new InvalidContinuationTokenError();
  }
  const n = query.params.length;
  const { table } = query;
  // An empty page still gives its one row: the count, with nulls for the page's columns.
  const { rows } = await pool.query<Row & { id: string | null; created_at: string; total_count: string }>(
    `SELECT counted.total_count, page.* FROM (SELECT count(*) AS total_count FROM ${table} WHERE ${query.where}) AS counted
     LEFT JOIN LATERAL (
       SELECT id, ${isoInstant(`${table}.created_at`)} AS created_at, ${query.columns} FROM ${table}
       WHERE ${query.where} AND ($${n + 1}::timestamptz IS NULL OR (${table}.created_at, id) > ($${n + 1}::timestamptz, $${n + 2}::uuid))
       ORDER BY ${table}.created_at, ${table}.id LIMIT $${n + 3}
     ) AS page ON true`,
    [...query.params, cursor?.createdAt ?? null, cursor?.id ?? null, request.size + 1],
  );
  const found = rows[0].id === null ? [] : rows;
  const more = found.length > request.size;
  const pageRows = more ? found.slice(0, request.size) : found;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    totalCount: Number(rows[0].total_count),
    continuationToken: more && last ? encodeCursor({ createdAt: last.created_at, id: last.id! }) : null,
  };
}
