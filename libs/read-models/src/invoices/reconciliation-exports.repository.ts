import { runMigrationsWhenAvailable } from '@mfh/event-store';
import type { Pool } from 'pg';
import { reconciliationExportMigrations } from './reconciliation-exports.migrations';

/**
 * An export as it was asked for: the invoice's lines up to `throughRevision`, the ones that existed
 * then, cut into files of `linesPerFile` lines. Lines never change, so neither do the files.
 */
export interface ReconciliationRequest {
  id: string;
  partnerId: string;
  /** Null when the period asked for had no lines: the export has no files. */
  invoiceId: string | null;
  /** The last revision of the invoice stream it covers; -1 for none. */
  throughRevision: number;
  lineCount: number;
  linesPerFile: number;
  requestedAt: string;
}

/** One file of an export: the lines from `firstRevision` to `lastRevision`, and the SHA-256 (hex) of its bytes. */
export interface ReconciliationFile {
  /** From 1. */
  index: number;
  firstRevision: number;
  lastRevision: number;
  lineCount: number;
  sha256: string;
}

export interface ReconciliationExport extends ReconciliationRequest {
  status: 'running' | 'completed';
  /** Empty while running. */
  files: ReconciliationFile[];
  completedAt: string | null;
}

interface ExportRecord {
  id: string;
  partner_id: string;
  invoice_id: string | null;
  through_revision: string;
  line_count: number;
  lines_per_file: number;
  requested_at: Date;
  status: ReconciliationExport['status'];
  files: ReconciliationFile[];
  completed_at: Date | null;
}

const fromRecord = (r: ExportRecord): ReconciliationExport => ({
  id: r.id,
  partnerId: r.partner_id,
  invoiceId: r.invoice_id,
  throughRevision: Number(r.through_revision),
  lineCount: r.line_count,
  linesPerFile: r.lines_per_file,
  requestedAt: r.requested_at.toISOString(),
  status: r.status,
  files: r.files,
  completedAt: r.completed_at?.toISOString() ?? null,
});

const INSERT = `INSERT INTO reconciliation_exports
  (id, partner_id, invoice_id, through_revision, line_count, lines_per_file, requested_at, status, files, completed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

const values = (r: ReconciliationRequest, status: ReconciliationExport['status'], files: readonly ReconciliationFile[], completedAt: string | null) => [
  r.id,
  r.partnerId,
  r.invoiceId,
  r.throughRevision,
  r.lineCount,
  r.linesPerFile,
  r.requestedAt,
  status,
  JSON.stringify(files),
  completedAt,
];

/**
 * Reconciliation exports: the api records what was asked for, the worker the files it wrote. Owns
 * its table and migrates it when opened.
 */
export class ReconciliationExportsRepository {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool, schema: string): Promise<ReconciliationExportsRepository> {
    await runMigrationsWhenAvailable(pool, schema, 'reconciliation-exports', reconciliationExportMigrations);
    return new ReconciliationExportsRepository(pool);
  }

  /** Records an export as running, unless the worker got to it first and it is already complete. */
  async record(request: ReconciliationRequest): Promise<void> {
    await this.pool.query(`${INSERT} ON CONFLICT (id) DO NOTHING`, values(request, 'running', [], null));
  }

  /** Records its files; the request comes along, so the worker can complete an export the api had not recorded yet. */
  async complete(request: ReconciliationRequest, files: readonly ReconciliationFile[], completedAt: string): Promise<void> {
    await this.pool.query(
      `${INSERT} ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, files = EXCLUDED.files, completed_at = EXCLUDED.completed_at`,
      values(request, 'completed', files, completedAt),
    );
  }

  async find(id: string): Promise<ReconciliationExport | null> {
    const { rows } = await this.pool.query<ExportRecord>('SELECT * FROM reconciliation_exports WHERE id = $1', [id]);
    return rows.length === 0 ? null : fromRecord(rows[0]);
  }
}
