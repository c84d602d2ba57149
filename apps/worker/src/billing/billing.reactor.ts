import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JOBS, QUEUES, reactionTo, StartBillingJob } from '@mfh/messaging';
import { subscriptionIdOf } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { LogConsumer } from '@mfh/read-models';
import type { Queue } from 'bullmq';


const TRIGGERS = new Set(['PublisherActivated', 'FulfillmentConfirmed']);

/**
 * Each of the two billing conditions, whichever comes second, asks for billing to start. The job
 * checks both; the decider and a fixed event id make sure billing starts once, however often asked.
 */
@Injectable()
export class BillingReactor implements LogConsumer {
  readonly name = 'reactor-billing';

  constructor(@InjectQueue(QUEUES.billing) private readonly queue: Queue<StartBillingJob>) {}

  async handle(_client: unknown, events: readonly RecordedEvent[]): Promise<void> {
    const jobs = events
      .filter((event) => TRIGGERS.has(event.type))
      .map((event) => ({
        name: JOBS.startBilling,
        data: { subscriptionId: subscriptionIdOf(event.streamId)!, ...reactionTo(event) },
        opts: { jobId: event.id },
      }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }
}
