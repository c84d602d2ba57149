import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { reactor } from '../reactors/reactor';

/**
 * Each of the two billing conditions, whichever comes second, asks for billing to start. The decider
 * starts it only once both hold, and a fixed event id makes sure it starts once, however often asked.
 */
export const billingReactor = reactor({
  name: 'reactor-billing',
  handles: eventsOfType<SubscriptionEvent>()('PublisherActivated', 'FulfillmentConfirmed'),
  queue: QUEUES.billing,
  job: (event) => ({ name: JOBS.startBilling, data: { subscriptionId: subscriptionIdOf(event.streamId)!, ...reactionTo(event) } }),
});
