import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { SubscriptionEvent, subscriptionIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { onWallClock, reactor } from '../reactors/reactor';

/**
 * Every change that waits for the publisher gets a delayed job due when its window closes, counted
 * from the request (not from when the worker saw it): unanswered, it is accepted (Microsoft's rule).
 */
export const autoAcceptReactor = reactor({
  name: 'reactor-operation-auto-accept',
  handles: onWallClock(eventsOfType<SubscriptionEvent>()('SeatChangeRequested', 'PlanChangeRequested', 'CancellationRequested', 'ReinstatementRequested')),
  queue: QUEUES.operations,
  job: (event, { config, clock }) => ({
    name: JOBS.acceptOperation,
    data: { subscriptionId: subscriptionIdOf(event.streamId)!, operationId: event.data.operationId, ...reactionTo(event) },
    opts: { delay: Math.max(0, Date.parse(event.data.requestedAt) + config.OPERATION_AUTO_ACCEPT_MS - clock.now().getTime()) },
  }),
});
