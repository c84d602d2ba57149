import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ReconciliationJobs } from '@mfh/application';
import { JOBS, QUEUES, ReconciliationJob } from '@mfh/messaging';
import type { ReconciliationRequest } from '@mfh/read-models';
import type { Queue } from 'bullmq';
import { QueueUnavailableError, withinQueueTimeout } from '../callbacks/api-queues.module';
import { ProblemException } from '../http/problem';

/** Reconciliation exports on the worker's queue, one job per export (its id is the export's). */
@Injectable()
export class QueuedReconciliationJobs extends ReconciliationJobs {
  constructor(@InjectQueue(QUEUES.reconciliations) private readonly queue: Queue<ReconciliationJob>) {
    super();
  }

  async enqueue(request: ReconciliationRequest): Promise<void> {
    try {
      await withinQueueTimeout(async () => {
        const job = await this.queue.getJob(request.id);
        // A known job id is ignored by add, so two pollers at once still queue it once.
        if (!job) await this.queue.add(JOBS.exportReconciliation, { request }, { jobId: request.id });
        else if (await job.isFailed()) await job.retry('failed');
      });
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      throw new ProblemException(503, 'queue-unavailable', 'The export could not be queued just now; send the request again.');
    }
  }
}
