import { DomainError, ExistingSubscription, SubscriptionCommand, SubscriptionState } from '@mfh/domain';
import type { PublisherCallbackBody } from './apply-publisher-callback.command';

/** The command a callback stands for; `signedAt` orders the action callbacks. */
export function commandFor(callback: PublisherCallbackBody, signedAt: string): SubscriptionCommand {
  switch (callback.type) {
    case 'LicensesAssigned':
      return { type: 'RecordLicensesAssigned', data: { assignedSeats: callback.data.assignedSeats } };
    case 'ActionRequired':
      return {
        type: 'RequirePublisherAction',
        data: { reason: callback.data.reason, url: callback.data.url, blockedOperations: [...callback.data.blockedOperations], signedAt },
      };
    case 'ActionResolved':
      return { type: 'ResolvePublisherAction', data: { signedAt } };
  }
}

/*
 * Both are not-found, like subscriptionOfPublisher's refusal; unlike it they say which, because only
 * the operators read them (a callback's refusal ends up in the dead letters, never in a response).
 */
export const CallbackErrors = {
  unknownSubscription: (subscriptionId: string) =>
    new DomainError('unknown-subscription', 'not-found', `there is no subscription ${subscriptionId}.`),
  notPublishersSubscription: (subscriptionId: string, publisherId: string) =>
    new DomainError('not-publishers-subscription', 'not-found', `subscription ${subscriptionId} is not one of ${publisherId}'s offers.`),
};

/** A publisher's callback may change only a subscription of one of its own offers. */
export const callbackTarget =
  (publisherId: string, subscriptionId: string) =>
  (state: SubscriptionState): ExistingSubscription => {
    if (state.status === 'none') throw CallbackErrors.unknownSubscription(subscriptionId);
    if (state.publisherId !== publisherId) throw CallbackErrors.notPublishersSubscription(subscriptionId, publisherId);
    return state;
  };
