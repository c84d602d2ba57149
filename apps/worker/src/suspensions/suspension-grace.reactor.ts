import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { onWallClock, reactor } from '../reactors/reactor';

/** Each suspension on the wall clock gets a job due when its grace ends. */
export const suspensionGraceReactor = reactor({
  name: 'reactor-suspension-grace',
  handles: onWallClock(eventsOfType<SubscriptionEvent>()('SubscriptionSuspended')),
  queue: QUEUES.suspensions,
  job: (event, { clock }) => ({
    name: JOBS.expireSuspension,
    data: {
      subscriptionId: subscriptionIdOf(event.streamId)!,
      suspensionOperationId: event.data.operationId,
      graceEndsAt: event.data.graceEndsAt,
      ...reactionTo(event),
    },
    opts: { delay: Math.max(0, Date.parse(event.data.graceEndsAt) - clock.now().getTime()) },
  }),
});
