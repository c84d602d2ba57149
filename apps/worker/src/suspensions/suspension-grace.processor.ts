import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, ExpireSuspension, SuspensionGraceOutcome } from '@mfh/application';
import { COMMAND_JOB_CONCURRENCY, QUEUES, SuspensionGraceJob, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';

@Processor(QUEUES.suspensions, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class SuspensionGraceProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Cancels the subscription if the suspension still holds; a job that woke early goes back to sleep until it is due. */
  async handle(job: Job<SuspensionGraceJob>, token?: string): Promise<SuspensionGraceOutcome> {
    const { subscriptionId, suspensionOperationId, graceEndsAt } = job.data;
    const now = this.clock.now();
    await this.sleepUntilDue(job, Date.parse(graceEndsAt), now, token);
    return (await this.commands.execute(new ExpireSuspension(subscriptionId, suspensionOperationId, systemMetadata('suspensions', job, now)))).outcome;
  }
}
