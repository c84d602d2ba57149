import { Processor } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, IssueInvoice, IssueInvoiceOutcome } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { IssueInvoiceJob, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import type { Job } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';
import { systemMetadata } from '../system-metadata';
import { invoiceCloseDue } from './invoice-close.reactor';

/** One close at a time (BullMQ's default): a few invoices a month, each read and hashed whole, a page at a time. */
@Processor(QUEUES.invoices, WORKER_LOCKING)
export class InvoiceCloseProcessor extends StoreAwareWorkerHost {
  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Issues the invoice the job was made for; a job that woke early goes back to sleep until it is due. */
  async handle(job: Job<IssueInvoiceJob>, token?: string): Promise<IssueInvoiceOutcome> {
    const now = this.clock.now();
    await this.sleepUntilDue(job, invoiceCloseDue(job.data.periodEnd, this.config), now, token);
    return (await this.commands.execute(new IssueInvoice(job.data.invoiceId, systemMetadata('invoices', job, now)))).outcome;
  }
}
