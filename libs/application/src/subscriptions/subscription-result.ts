import type { ExistingSubscription } from '@mfh/domain';

/** What a change to a subscription leaves: its state, the revision to send as ETag, and any operation that now waits. */
export interface SubscriptionResult {
  subscription: ExistingSubscription;
  revision: number;
  /** The operation this very call started and that now waits for the publisher; null when none did. */
  startedOperationId: string | null;
}

/** Event types that start an operation waiting for the publisher. */
export const OPERATION_STARTERS: ReadonlySet<string> = new Set(['SeatChangeRequested', 'PlanChangeRequested', 'CancellationRequested', 'ReinstatementRequested']);
