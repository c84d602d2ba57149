import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, RenewalOutcome, RenewSubscription } from '@mfh/application';
import { COMMAND_JOB_CONCURRENCY, QUEUES, RenewalJob, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';
import { renewalDue } from './renewal.reactor';

@Processor(QUEUES.renewals, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class RenewalProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Renews (or ends) the term the job was made for; a job that woke early goes back to sleep until it is due. */
  async handle(job: Job<RenewalJob>, token?: string): Promise<RenewalOutcome> {
    const { subscriptionId, termEnd } = job.data;
    const now = this.clock.now();
    await this.sleepUntilDue(job, renewalDue(termEnd), now, token);
    return (await this.commands.execute(new RenewSubscription(subscriptionId, termEnd, systemMetadata('renewals', job, now)))).outcome;
  }
}
