import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Clock } from '@mfh/application';
import { JOBS, QUEUES, reactionTo, RenewalJob } from '@mfh/messaging';
import { addDays, subscriptionIdOf } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { LogConsumer } from '@mfh/read-models';
import type { Queue } from 'bullmq';


/** A term ending on `termEnd` (inclusive) is due for renewal at the start of the next UTC day. */
export const renewalDue = (termEnd: string): number => Date.parse(`${addDays(termEnd, 1)}T00:00:00.000Z`);

/** Each term that starts (billing, or a renewal) gets a job due when it ends. */
@Injectable()
export class RenewalReactor implements LogConsumer {
  readonly name = 'reactor-renewals';

  constructor(
    @InjectQueue(QUEUES.renewals) private readonly queue: Queue<RenewalJob>,
    private readonly clock: Clock,
  ) {}

  async handle(_client: unknown, events: readonly RecordedEvent[]): Promise<void> {
    const jobs = events
      .filter((event) => event.type === 'BillingStarted' || event.type === 'SubscriptionRenewed')
      .map((event) => {
        const termEnd = String(event.data.termEnd);
        return {
          name: JOBS.renewSubscription,
          data: { subscriptionId: subscriptionIdOf(event.streamId)!, termEnd, ...reactionTo(event) },
          opts: { jobId: event.id, delay: Math.max(0, renewalDue(termEnd) - this.clock.now().getTime()) },
        };
      });
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }
}
