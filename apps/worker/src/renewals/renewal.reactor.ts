import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { renewalDueAt, SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { onWallClock, reactor } from '../reactors/reactor';

/** The instant a renewal job is due, in milliseconds. */
export const renewalDue = (termEnd: string): number => Date.parse(renewalDueAt(termEnd));

/**
 * Each term that starts (billing, or a renewal) on the wall clock gets a job due when it ends. A
 * reinstatement asks again for the term it is back in: a renewal that came due while suspended did nothing.
 */
export const renewalReactor = reactor({
  name: 'reactor-renewals',
  handles: onWallClock(eventsOfType<SubscriptionEvent>()('BillingStarted', 'SubscriptionRenewed', 'SubscriptionReinstated')),
  queue: QUEUES.renewals,
  job: (event, { clock }) => ({
    name: JOBS.renewSubscription,
    data: { subscriptionId: subscriptionIdOf(event.streamId)!, termEnd: event.data.termEnd, ...reactionTo(event) },
    opts: { delay: Math.max(0, renewalDue(event.data.termEnd) - clock.now().getTime()) },
  }),
});
