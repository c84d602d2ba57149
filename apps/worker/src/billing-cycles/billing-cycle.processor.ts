import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { BillingCycleOutcome, Clock, StartBillingCycle } from '@mfh/application';
import { billingCycleDueAt } from '@mfh/domain';
import { BillingCycleJob, COMMAND_JOB_CONCURRENCY, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';

@Processor(QUEUES.billingCycles, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class BillingCycleProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Starts the cycle the job was made for; a job that woke early goes back to sleep until it is due. */
  async handle(job: Job<BillingCycleJob>, token?: string): Promise<BillingCycleOutcome> {
    const { subscriptionId, cycleStart } = job.data;
    const now = this.clock.now();
    await this.sleepUntilDue(job, Date.parse(billingCycleDueAt(cycleStart)), now, token);
    return (await this.commands.execute(new StartBillingCycle(subscriptionId, cycleStart, systemMetadata('billing-cycles', job, now)))).outcome;
  }
}
