import { Command } from '@nestjs/cqrs';
import type { BlockableOperation } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';

/** What a publisher's signed callback says (SPEC §6), as the receiver validated it; the queued job carries it as is. */
export type PublisherCallbackBody =
  | { type: 'LicensesAssigned'; subscriptionId: string; data: { assignedSeats: number } }
  | { type: 'ActionRequired'; subscriptionId: string; data: { reason: string; url: string; blockedOperations: readonly BlockableOperation[] } }
  | { type: 'ActionResolved'; subscriptionId: string; data: Record<string, never> };

/**
 * What applying a callback did. `no-change`: the subscription already was as the callback says (a
 * re-run of a callback applied before, or news the state already had). `already-applied`: this very
 * callback's events are stored, though the subscription has moved on since.
 */
export type CallbackOutcome = 'applied' | 'no-change' | 'already-applied';

/** A publisher's signed callback (SPEC §6), applied to one of its own subscriptions as the publisher. */
export class ApplyPublisherCallback extends Command<CallbackOutcome> {
  constructor(
    readonly publisherId: string,
    /** The Standard Webhooks `webhook-id`: the event ids derive from it, so a redelivery appends nothing new. */
    readonly webhookId: string,
    readonly callback: PublisherCallbackBody,
    /** When the publisher signed it; orders the action callbacks. */
    readonly signedAt: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
