import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, CompleteOrder } from '@mfh/application';
import { COMMAND_JOB_CONCURRENCY, CompleteOrderJob, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

@Processor(QUEUES.orders, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class OrderCompletionProcessor extends StoreAwareWorkerHost {
  private readonly logger = new Logger(OrderCompletionProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Returns what it did, which BullMQ keeps as the job's result. */
  async handle(job: Job<CompleteOrderJob>): Promise<'nothing-to-do' | 'completed-by-worker'> {
    const { orderId, correlationId } = job.data;
    const { completedNow } = await this.commands.execute(
      new CompleteOrder(orderId, {
        actor: 'worker',
        role: 'system',
        source: 'System',
        correlationId,
        causationId: job.id ?? orderId,
        requestId: job.id ?? orderId,
        occurredAt: this.clock.now().toISOString(),
      }),
    );
    if (!completedNow) return 'nothing-to-do';
    this.logger.warn(`Completed order ${orderId} that the API had left pending`);
    return 'completed-by-worker';
  }
}
