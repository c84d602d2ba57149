import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { addDays, SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { reactor } from '../reactors/reactor';

/** A term ending on `termEnd` (inclusive) is due for renewal at the start of the next UTC day. */
export const renewalDue = (termEnd: string): number => Date.parse(`${addDays(termEnd, 1)}T00:00:00.000Z`);

/** Each term that starts (billing, or a renewal) gets a job due when it ends. */
export const renewalReactor = reactor({
  name: 'reactor-renewals',
  handles: eventsOfType<SubscriptionEvent>()('BillingStarted', 'SubscriptionRenewed'),
  queue: QUEUES.renewals,
  job: (event, { clock }) => ({
    name: JOBS.renewSubscription,
    data: { subscriptionId: subscriptionIdOf(event.streamId)!, termEnd: event.data.termEnd, ...reactionTo(event) },
    opts: { delay: Math.max(0, renewalDue(event.data.termEnd) - clock.now().getTime()) },
  }),
});
