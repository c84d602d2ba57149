import type { Migration } from '@mfh/event-store';

/**
 * What a partner asked to export and, once written, its files' manifest. Not a read model: nothing in
 * the log says what was asked for, so a rebuild leaves these rows alone.
 */
export const reconciliationExportMigrations: Migration[] = [
  {
    id: '001-reconciliation-exports',
    sql: `
      CREATE TABLE reconciliation_exports (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL,
        invoice_id text,
        through_revision bigint NOT NULL,
        line_count integer NOT NULL,
        lines_per_file integer NOT NULL,
        requested_at timestamptz NOT NULL,
        status text NOT NULL,
        files jsonb NOT NULL,
        completed_at timestamptz
      );
    `,
  },
];
