import { subscriptionStream } from '@mfh/domain';
import { ChainVerification, ChainVerifier, EventStore, logPages, verifyChain } from '@mfh/event-store';
import type { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';

export interface SubscriptionVerification extends ChainVerification {
  /** Events the stream holds; `events` counts those checked, up to the first break. */
  storedEvents: number;
}

/**
 * One subscription's hash chain, its tail checked against the last revision the subscriptions read
 * model applied (a chain alone cannot show events cut off its end). Null when neither the log nor
 * the read model knows the subscription.
 */
export async function verifySubscription(
  store: EventStore,
  subscriptions: SubscriptionsRepository,
  subscriptionId: string,
): Promise<SubscriptionVerification | null> {
  const [events, applied] = await Promise.all([store.readStream(subscriptionStream(subscriptionId)), subscriptions.appliedRevisions([subscriptionId])]);
  const seenRevision = applied.get(subscriptionId) ?? null;
  if (events.length === 0 && seenRevision === null) return null;
  return { ...verifyChain(events, { seenRevision }), storedEvents: events.length };
}

export interface LogVerification {
  verifier: ChainVerifier;
  /** Events read from the log. */
  events: number;
}

/** Every stream's chain in one pass over the global log, then every subscription's tail as the read model saw it. */
export async function verifyLog(
  store: EventStore,
  subscriptions: SubscriptionsRepository,
  options: { pageSize: number; onPage?: (eventsRead: number) => void },
): Promise<LogVerification> {
  const verifier = new ChainVerifier();
  let events = 0;
  for await (const page of logPages(store, { after: null, pageSize: options.pageSize })) {
    for (const event of page) verifier.add(event);
    events += page.length;
    options.onPage?.(events);
  }
  for (const [id, revision] of await subscriptions.appliedRevisions()) verifier.checkTail(subscriptionStream(id), revision);
  return { verifier, events };
}
