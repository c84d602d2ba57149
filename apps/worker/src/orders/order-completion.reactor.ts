import { JOBS, QUEUES } from '@mfh/messaging';
import type { OrderEvent } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { reactor } from '../reactors/reactor';

/**
 * Every placed order gets a delayed completion check. Usually the API has completed it by then and
 * the job finds nothing to do; after a crash mid-order, the job buys what is missing.
 */
export const orderCompletionReactor = reactor({
  name: 'reactor-order-completion',
  handles: eventsOfType<OrderEvent>()('OrderPlaced'),
  queue: QUEUES.orders,
  job: (event, { config }) => ({
    name: JOBS.completeOrder,
    data: { orderId: event.data.orderId, correlationId: String(event.metadata.correlationId ?? event.id) },
    opts: { delay: config.ORDER_COMPLETION_DELAY_MS },
  }),
});
