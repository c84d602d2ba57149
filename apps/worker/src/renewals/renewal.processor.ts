import { Processor } from '@nestjs/bullmq';
import { Clock, CommandExecutor } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { subscriptionDecider, subscriptionStream } from '@mfh/domain';
import { DelayedError, Job } from 'bullmq';
import { systemMetadata } from '../system-metadata';
import type { RenewalJob } from '@mfh/messaging';
import { renewalDue } from './renewal.reactor';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

export type RenewalOutcome = 'renewed' | 'expired' | 'nothing-to-do';

@Processor(QUEUES.renewals, WORKER_LOCKING)
export class RenewalProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Renews (or ends) the term the job was made for; a job that woke early goes back to sleep until it is due. */
  async handle(job: Job<RenewalJob>, token?: string): Promise<RenewalOutcome> {
    const { subscriptionId, termEnd } = job.data;
    const now = this.clock.now();
    const due = renewalDue(termEnd);
    if (now.getTime() < due) {
      await job.moveToDelayed(due, token);
      throw new DelayedError();
    }
    const result = await this.executor.execute(
      subscriptionStream(subscriptionId),
      subscriptionDecider,
      (state) => {
        // Only the term this job was made for; a renewal that already happened has its own job.
        if (state.status !== 'active' || state.billing.termEnd !== termEnd) return [];
        const operationId = derivedId(subscriptionId, termEnd, 'renewal');
        return subscriptionDecider.decide({ type: 'RenewSubscription', data: { operationId, now: now.toISOString() } }, state);
      },
      { metadata: systemMetadata('renewals', job, now), eventId: (index) => derivedId(subscriptionId, termEnd, 'renewal-event', index) },
    );
    const [event] = result.appended;
    if (event?.type === 'SubscriptionRenewed') return 'renewed';
    if (event?.type === 'SubscriptionExpired') return 'expired';
    return 'nothing-to-do';
  }
}
