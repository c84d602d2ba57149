import { DomainError } from '@mfh/domain';

/** Defaults and bounds of the global feed (SPEC §9). */
export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;

/** What auditors' queries refuse: a point in time or a position that the log does not have. */
export const AuditErrors = {
  invalidStateQuery: () =>
    new DomainError('invalid-state-query', 'validation', 'Send exactly one of asOf (an ISO 8601 date-time) and revision (a whole number).'),
  revisionNotFound: (lastRevision: number) =>
    new DomainError('revision-not-found', 'not-found', `The subscription's last revision is ${lastRevision}.`, { lastRevision }),
  notYetPurchased: (asOf: string, purchasedAt: string) =>
    new DomainError('not-yet-purchased', 'not-found', `The subscription did not exist yet at ${asOf}; it was purchased at ${purchasedAt}.`, {
      purchasedAt,
    }),
  invalidPosition: () =>
    new DomainError('invalid-position', 'validation', 'after must be a position from this feed, like 1042-17.', {
      errors: [{ pointer: '/after', detail: 'not a position of this log' }],
    }),
  invalidInvoiceId: () =>
    new DomainError(
      'invalid-invoice-id',
      'validation',
      'invoiceId must be an invoice id: <partnerId>-<YYYY-MM>-<currency>, or <partnerId>-<testClockId>-<YYYY-MM>-<currency> on a test clock.',
      { parameter: 'invoiceId' },
    ),
  invoiceNotFound: (invoiceId: string) => new DomainError('invoice-not-found', 'not-found', `No invoice ${invoiceId}: its billing period has no events.`),
  invalidLimit: () =>
    new DomainError('invalid-limit', 'validation', `limit must be between 1 and ${FEED_MAX_LIMIT}.`, {
      errors: [{ pointer: '/limit', detail: `at most ${FEED_MAX_LIMIT}` }],
    }),
};
