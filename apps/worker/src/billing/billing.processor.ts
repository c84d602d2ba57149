import { Processor } from '@nestjs/bullmq';
import { Clock, CommandExecutor } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { subscriptionDecider, subscriptionStream, SubscriptionState } from '@mfh/domain';
import type { Job } from 'bullmq';
import { systemMetadata } from '../system-metadata';
import type { StartBillingJob } from '@mfh/messaging';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

export type BillingOutcome = 'started' | 'already-started' | 'waiting-for-the-other-condition' | 'not-billable';

const bothConditionsHold = (state: SubscriptionState): boolean =>
  state.status === 'pending' && state.licensesAssigned !== null && state.fulfillmentConfirmed;

@Processor(QUEUES.billing, WORKER_LOCKING)
export class BillingProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Returns what it found, which BullMQ keeps as the job's result. */
  async handle(job: Job<StartBillingJob>): Promise<BillingOutcome> {
    const { subscriptionId } = job.data;
    const now = this.clock.now();
    const result = await this.executor.execute(
      subscriptionStream(subscriptionId),
      subscriptionDecider,
      (state) => (bothConditionsHold(state) ? subscriptionDecider.decide({ type: 'StartBilling', data: { now: now.toISOString() } }, state) : []),
      // One id for the one BillingStarted a subscription may ever have: a second append is a no-op.
      { metadata: systemMetadata('billing', job, now), eventId: (index) => derivedId(subscriptionId, 'billing-started', index) },
    );
    if (result.appended.length > 0) return 'started';
    switch (result.state.status) {
      case 'active':
        return 'already-started';
      case 'pending':
        return 'waiting-for-the-other-condition';
      default:
        return 'not-billable';
    }
  }
}
