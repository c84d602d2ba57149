import type { ReconciliationRequest } from '@mfh/read-models';

/**
 * Where reconciliation exports wait for the worker that writes their files' manifest (the api's
 * queue). An export recorded as running always has its job queued first, so none is left without one.
 */
export abstract class ReconciliationJobs {
  /**
   * Resolves once the export's job is queued: added, or found queued, running or done; a job that
   * failed for good is run again. Throws when the queue cannot be reached.
   */
  abstract enqueue(request: ReconciliationRequest): Promise<void>;
}
