import type { Type } from '@nestjs/common';
import { GetSubscriptionHistoryHandler } from './get-subscription-history/get-subscription-history.handler';
import { GetSubscriptionStateHandler } from './get-subscription-state/get-subscription-state.handler';
import { ReadAuditFeedHandler } from './read-audit-feed/read-audit-feed.handler';
import { StreamAuditFeedHandler } from './stream-audit-feed/stream-audit-feed.handler';
import { VerifyInvoiceHandler } from './verify-invoice/verify-invoice.handler';
import { VerifyInvoicesHandler } from './verify-invoices/verify-invoices.handler';
import { VerifyLogHandler } from './verify-log/verify-log.handler';
import { VerifySubscriptionHandler } from './verify-subscription/verify-subscription.handler';

/** The auditor's and the operator's reads of the log: histories, states by replay, hash chains, invoices re-rated, the feed. */
export const AUDIT_HANDLERS: Type[] = [
  GetSubscriptionHistoryHandler,
  GetSubscriptionStateHandler,
  VerifySubscriptionHandler,
  VerifyLogHandler,
  VerifyInvoiceHandler,
  VerifyInvoicesHandler,
  ReadAuditFeedHandler,
  StreamAuditFeedHandler,
];
