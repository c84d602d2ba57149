import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@mfh/messaging';
import { InvoiceCloseProcessor } from './invoice-close.processor';
import { invoiceCloseReactor } from './invoice-close.reactor';
import { ReconciliationProcessor } from './reconciliation.processor';

/** Invoices on the wall clock: each period issued after its month ends; and the reconciliation exports partners ask for. */
@Module({
  imports: [BullModule.registerQueue({ name: QUEUES.invoices }, { name: QUEUES.reconciliations })],
  providers: [invoiceCloseReactor, InvoiceCloseProcessor, ReconciliationProcessor],
})
export class InvoicesModule {}
