import { addDays } from '../shared/time';

/**
 * When a term ending on `termEnd` (its last day, inclusive) is due for renewal: the start of the
 * next UTC day, the first instant at which RenewSubscription acts.
 */
export const renewalDueAt = (termEnd: string): string => `${addDays(termEnd, 1)}T00:00:00.000Z`;
