import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Clock } from '@mfh/application';
import { AcceptOperationJob, JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { AppConfig } from '@mfh/config';
import { subscriptionIdOf } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { LogConsumer } from '@mfh/read-models';
import type { Queue } from 'bullmq';


const WAITING = new Set(['SeatChangeRequested', 'PlanChangeRequested', 'CancellationRequested']);

/**
 * Every change that waits for the publisher gets a delayed job due when its window closes, counted
 * from the request (not from when the worker saw it): unanswered, it is accepted (Microsoft's rule).
 */
@Injectable()
export class AutoAcceptReactor implements LogConsumer {
  readonly name = 'reactor-operation-auto-accept';

  constructor(
    @InjectQueue(QUEUES.operations) private readonly queue: Queue<AcceptOperationJob>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async handle(_client: unknown, events: readonly RecordedEvent[]): Promise<void> {
    const jobs = events
      .filter((event) => WAITING.has(event.type))
      .map((event) => {
        const data = event.data as { operationId: string; requestedAt: string };
        const due = Date.parse(data.requestedAt) + this.config.OPERATION_AUTO_ACCEPT_MS;
        return {
          name: JOBS.acceptOperation,
          data: { subscriptionId: subscriptionIdOf(event.streamId)!, operationId: data.operationId, ...reactionTo(event) },
          opts: { jobId: event.id, delay: Math.max(0, due - this.clock.now().getTime()) },
        };
      });
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }
}
