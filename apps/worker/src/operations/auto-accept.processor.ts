import { Processor } from '@nestjs/bullmq';
import { Clock, CommandExecutor } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { subscriptionDecider, subscriptionStream } from '@mfh/domain';
import type { Job } from 'bullmq';
import { systemMetadata } from '../system-metadata';
import type { AcceptOperationJob } from '@mfh/messaging';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

export type AutoAcceptOutcome = 'accepted' | 'already-finished';

@Processor(QUEUES.operations, WORKER_LOCKING)
export class AutoAcceptProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** An operation the publisher answered meanwhile (or that ended with the subscription) is left as it is. */
  async handle(job: Job<AcceptOperationJob>): Promise<AutoAcceptOutcome> {
    const { subscriptionId, operationId } = job.data;
    const now = this.clock.now();
    const result = await this.executor.execute(
      subscriptionStream(subscriptionId),
      subscriptionDecider,
      (state) => {
        const operation = state.status === 'none' ? undefined : state.operations.find((op) => op.id === operationId);
        if (operation?.status !== 'InProgress') return [];
        return subscriptionDecider.decide({ type: 'AcceptOperation', data: { operationId, now: now.toISOString() } }, state);
      },
      { metadata: systemMetadata('operation-timeout', job, now), eventId: (index) => derivedId(operationId, 'auto-accepted', index) },
    );
    return result.appended.length > 0 ? 'accepted' : 'already-finished';
  }
}
