import { Injectable } from '@nestjs/common';
import { CommandExecutor } from '@mfh/application';
import {
  ExistingSubscription,
  SubscriptionErrors,
  SubscriptionEvent,
  subscriptionDecider,
  subscriptionStream,
  SubscriptionState,
} from '@mfh/domain';
import { EventMetadata, EventStore, HandleCommandResult, loadState } from '@mfh/event-store';
import { ActivationCodes } from '../activation/activation-codes.service';
import { ProblemException } from '../http/problem';

/** The subscription if it belongs to one of this publisher's offers; anything else is reported as not found. */
export function ownedByPublisher(state: SubscriptionState, publisherId: string): ExistingSubscription {
  if (state.status === 'none' || state.publisherId !== publisherId) throw SubscriptionErrors.notFound();
  return state;
}

/**
 * A publisher's subscriptions, read from and decided on their streams (read-your-writes). Another
 * publisher's subscription is indistinguishable from one that does not exist.
 */
@Injectable()
export class PublisherSubscriptions {
  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
    private readonly codes: ActivationCodes,
  ) {}

  /** The subscription an authorization code stands for: 400 when the code is forged, altered or expired, 403 when it is another publisher's. */
  async resolve(publisherId: string, code: string): Promise<ExistingSubscription> {
    const opened = await this.codes.open(code);
    if (!opened.ok) {
      throw opened.reason === 'expired'
        ? new ProblemException(400, 'expired-marketplace-token', 'The authorization code has expired; open a fresh activation link.')
        : new ProblemException(400, 'invalid-marketplace-token', 'x-ms-marketplace-token is not an authorization code issued by this marketplace, or it was altered.');
    }
    const { state } = await loadState(this.store, subscriptionStream(opened.grant.subscriptionId), subscriptionDecider);
    if (state.status === 'none') throw SubscriptionErrors.notFound();
    if (opened.grant.publisherId !== publisherId || state.publisherId !== publisherId) {
      throw new ProblemException(403, 'marketplace-token-of-another-publisher', 'The authorization code was issued for a subscription of another publisher.');
    }
    return state;
  }

  async read(publisherId: string, subscriptionId: string): Promise<ExistingSubscription> {
    const { state } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    return ownedByPublisher(state, publisherId);
  }

  /** Runs `decide` on the publisher's own subscription; it may throw, or return nothing when the outcome already holds. */
  async execute(
    publisherId: string,
    subscriptionId: string,
    decide: (state: ExistingSubscription) => SubscriptionEvent[],
    metadata: EventMetadata,
  ): Promise<HandleCommandResult<ExistingSubscription>> {
    const result = await this.executor.execute(
      subscriptionStream(subscriptionId),
      subscriptionDecider,
      (state) => decide(ownedByPublisher(state, publisherId)),
      { metadata },
    );
    return { ...result, state: ownedByPublisher(result.state, publisherId) };
  }
}
