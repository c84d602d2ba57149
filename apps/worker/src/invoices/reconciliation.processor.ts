import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { ExportReconciliation } from '@mfh/application';
import { QUEUES, ReconciliationJob, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

/**
 * Writes the files manifest of an export a partner asked for; a worker that dies mid-way leaves the job to another, which writes the same.
 * One export at a time (BullMQ's default concurrency): each one is the worker's memory peak (bench:billing), and two would double it.
 */
@Processor(QUEUES.reconciliations, WORKER_LOCKING)
export class ReconciliationProcessor extends StoreAwareWorkerHost {
  constructor(private readonly commands: CommandBus) {
    super();
  }

  /** How many files the export has. */
  async handle(job: Job<ReconciliationJob>): Promise<number> {
    return (await this.commands.execute(new ExportReconciliation(job.data.request))).length;
  }
}
