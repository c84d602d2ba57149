import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { CompleteOrderJob, JOBS, QUEUES } from '@mfh/messaging';
import { AppConfig } from '@mfh/config';
import type { OrderPlaced } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { LogConsumer } from '@mfh/read-models';
import type { Queue } from 'bullmq';

/**
 * Every placed order gets a delayed completion check. Usually the API has completed it by then and
 * the job finds nothing to do; after a crash mid-order, the job buys what is missing.
 */
@Injectable()
export class OrderCompletionReactor implements LogConsumer {
  readonly name = 'reactor-order-completion';

  constructor(
    @InjectQueue(QUEUES.orders) private readonly queue: Queue<CompleteOrderJob>,
    private readonly config: AppConfig,
  ) {}

  async handle(_client: unknown, events: readonly RecordedEvent[]): Promise<void> {
    const placed = events.filter((e): e is RecordedEvent & OrderPlaced => e.type === 'OrderPlaced');
    if (placed.length === 0) return;
    await this.queue.addBulk(
      placed.map((event) => ({
        name: JOBS.completeOrder,
        data: { orderId: event.data.orderId, correlationId: String(event.metadata.correlationId ?? event.id) },
        opts: { jobId: event.id, delay: this.config.ORDER_COMPLETION_DELAY_MS },
      })),
    );
  }
}
