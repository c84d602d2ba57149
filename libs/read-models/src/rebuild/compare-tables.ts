import { assertIdentifier } from '@mfh/event-store';
import type { PoolClient } from 'pg';

/** A row that is not the same on both sides; null where one side has no row with that key. */
export interface RowDifference {
  key: string;
  live: Record<string, unknown> | null;
  rebuilt: Record<string, unknown> | null;
}

export interface TableComparison {
  table: string;
  projection: string;
  liveRows: number;
  rebuiltRows: number;
  /** Keys whose rows differ, or that only one side has. */
  differences: number;
  /** The first differences by key, at most the sample size asked for. */
  samples: RowDifference[];
}

/**
 * Compares a table with its namesake in another schema, row by row on `id`. Rows are compared as
 * jsonb, so column order does not matter and jsonb columns compare by value, not by key order.
 */
export async function compareTable(
  client: PoolClient,
  table: { name: string; projection: string; liveSchema: string; rebuiltSchema: string },
  sampleSize: number,
): Promise<TableComparison> {
  const live = `${assertIdentifier(table.liveSchema)}.${assertIdentifier(table.name)}`;
  const rebuilt = `${assertIdentifier(table.rebuiltSchema)}.${assertIdentifier(table.name)}`;
  const counts = await client.query<{ live: string; rebuilt: string }>(
    `SELECT (SELECT count(*) FROM ${live}) AS live, (SELECT count(*) FROM ${rebuilt}) AS rebuilt`,
  );
  const { rows } = await client.query<{ key: string; live: Record<string, unknown> | null; rebuilt: Record<string, unknown> | null; total: string }>(
    `SELECT coalesce(l.id, r.id)::text AS key, to_jsonb(l) AS live, to_jsonb(r) AS rebuilt, count(*) OVER () AS total
     FROM ${live} l FULL JOIN ${rebuilt} r ON l.id = r.id
     WHERE to_jsonb(l) IS DISTINCT FROM to_jsonb(r)
     ORDER BY 1
     LIMIT $1`,
    [Math.max(sampleSize, 1)],
  );
  return {
    table: table.name,
    projection: table.projection,
    liveRows: Number(counts.rows[0].live),
    rebuiltRows: Number(counts.rows[0].rebuilt),
    differences: rows.length === 0 ? 0 : Number(rows[0].total),
    samples: rows.slice(0, sampleSize).map(({ key, live: l, rebuilt: r }) => ({ key, live: l, rebuilt: r })),
  };
}
