import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { CommandExecutor, completeOrder } from '@mfh/application';
import { QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { orderDecider, orderStream } from '@mfh/domain';
import { EventStore, loadState } from '@mfh/event-store';
import type { Job } from 'bullmq';
import type { CompleteOrderJob } from '@mfh/messaging';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

@Processor(QUEUES.orders, WORKER_LOCKING)
export class OrderCompletionProcessor extends StoreAwareWorkerHost {
  private readonly logger = new Logger(OrderCompletionProcessor.name);

  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
  ) {
    super();
  }

  /** Returns what it did, which BullMQ keeps as the job's result. */
  async handle(job: Job<CompleteOrderJob>): Promise<'nothing-to-do' | 'completed-by-worker'> {
    const { state } = await loadState(this.store, orderStream(job.data.orderId), orderDecider);
    if (state.status !== 'pending') return 'nothing-to-do';
    this.logger.warn(`Completing order ${job.data.orderId} that the API left pending`);
    await completeOrder(this.executor, state, {
      actor: 'worker',
      role: 'system',
      source: 'System',
      correlationId: job.data.correlationId,
      causationId: job.id ?? job.data.orderId,
      requestId: job.id ?? job.data.orderId,
      occurredAt: new Date().toISOString(),
    });
    return 'completed-by-worker';
  }
}
