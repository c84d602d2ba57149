import { ExistingSubscription, pendingOperation } from '@mfh/domain';
import type { HandleCommandResult } from '@mfh/event-store';
import { SubscriptionResult, subscriptionResult } from '../subscription-result';

/** A publisher's change accepted as an operation: the one this call requested, or the same one requested before. */
export interface WaitingOperationResult extends SubscriptionResult {
  /** The operation that now waits (the 202's Operation-Location). */
  waitingOperationId: string;
}

export function waitingOperationResult(subscription: ExistingSubscription, result: HandleCommandResult<unknown>): WaitingOperationResult {
  const waiting = pendingOperation(subscription);
  if (!waiting) throw new Error(`No operation waits on subscription ${subscription.id} after a change was accepted`);
  return { ...subscriptionResult(subscription, result), waitingOperationId: waiting.id };
}
