import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { AdvanceRun, Clock, RunTestClockAdvance } from '@mfh/application';
import { AdvanceTestClockJob, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';

/** One advance at a time per worker: advances of one clock are serial anyway, and each fans out its own timers. */
@Processor(QUEUES.testClocks, WORKER_LOCKING)
export class TestClockProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  handle(job: Job<AdvanceTestClockJob>): Promise<AdvanceRun> {
    return this.commands.execute(new RunTestClockAdvance(job.data.testClockId, systemMetadata('test-clock', job, this.clock.now())));
  }
}
