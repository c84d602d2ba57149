import type { Type } from '@nestjs/common';
import { IssueInvoiceHandler } from '../billing/issue-invoice/issue-invoice.handler';
import { ExportReconciliationHandler } from './export-reconciliation/export-reconciliation.handler';
import { GetInvoiceHandler } from './get-invoice/get-invoice.handler';
import { GetReconciliationHandler } from './get-reconciliation/get-reconciliation.handler';
import { ListInvoiceLinesHandler } from './list-invoice-lines/list-invoice-lines.handler';
import { ListInvoicesHandler } from './list-invoices/list-invoices.handler';
import { ListUnbilledLinesHandler } from './list-unbilled-lines/list-unbilled-lines.handler';
import { ReadReconciliationFileHandler } from './read-reconciliation-file/read-reconciliation-file.handler';
import { RequestReconciliationHandler } from './request-reconciliation/request-reconciliation.handler';

/** Invoices (SPEC §12): issuing at the period's close, the partner's reads, and writing reconciliation files. */
export const INVOICE_HANDLERS: Type[] = [
  IssueInvoiceHandler,
  ListInvoicesHandler,
  GetInvoiceHandler,
  ListInvoiceLinesHandler,
  ListUnbilledLinesHandler,
  ExportReconciliationHandler,
  ReadReconciliationFileHandler,
];

/**
 * Asking for a reconciliation export and polling it queue its job: they belong to the process that
 * provides the ReconciliationJobs queue, which registers them with it (the api).
 */
export const RECONCILIATION_REQUEST_HANDLERS: Type[] = [RequestReconciliationHandler, GetReconciliationHandler];
