import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { BillingOutcome, Clock, StartBilling } from '@mfh/application';
import { COMMAND_JOB_CONCURRENCY, QUEUES, StartBillingJob, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';

@Processor(QUEUES.billing, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class BillingProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Returns what it found, which BullMQ keeps as the job's result. */
  handle(job: Job<StartBillingJob>): Promise<BillingOutcome> {
    return this.commands.execute(new StartBilling(job.data.subscriptionId, systemMetadata('billing', job, this.clock.now())));
  }
}
