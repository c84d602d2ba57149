import type { ExistingSubscription } from '@mfh/domain';
import type { HandleCommandResult } from '@mfh/event-store';

/** What a change to a subscription leaves: its state, the revision to send as ETag, and any operation that now waits. */
export interface SubscriptionResult {
  subscription: ExistingSubscription;
  revision: number;
  /** The operation this very call started and that now waits for the publisher; null when none did. */
  startedOperationId: string | null;
}

/** Event types that start an operation waiting for the publisher. */
export const OPERATION_STARTERS: ReadonlySet<string> = new Set(['SeatChangeRequested', 'PlanChangeRequested', 'CancellationRequested', 'ReinstatementRequested']);

/** The result of a command on a subscription: the state it left and the operation it started, if any. */
export function subscriptionResult(subscription: ExistingSubscription, result: HandleCommandResult<unknown>): SubscriptionResult {
  const started = result.appended.find((event) => OPERATION_STARTERS.has(event.type));
  return { subscription, revision: result.revision, startedOperationId: started ? String(started.data.operationId) : null };
}
