import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { AcceptUnansweredOperation, AutoAcceptOutcome, Clock } from '@mfh/application';
import { AcceptOperationJob, COMMAND_JOB_CONCURRENCY, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';

@Processor(QUEUES.operations, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class AutoAcceptProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  async handle(job: Job<AcceptOperationJob>): Promise<AutoAcceptOutcome> {
    const { subscriptionId, operationId } = job.data;
    const metadata = systemMetadata('operation-timeout', job, this.clock.now());
    return (await this.commands.execute(new AcceptUnansweredOperation(subscriptionId, operationId, metadata))).outcome;
  }
}
