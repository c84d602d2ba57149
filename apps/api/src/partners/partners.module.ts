import { Module } from '@nestjs/common';
import { RECONCILIATION_REQUEST_HANDLERS, ReconciliationJobs } from '@mfh/application';
import { AuthModule } from '../auth/auth.module';
import { ApiQueuesModule } from '../callbacks/api-queues.module';
import { CustomersController } from './customers.controller';
import { InvoicesController } from './invoices.controller';
import { OffersController } from './offers.controller';
import { OrdersController } from './orders.controller';
import { PartnerViews } from './partner-views.service';
import { QueuedReconciliationJobs } from './reconciliation-jobs.service';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [AuthModule, ApiQueuesModule],
  controllers: [OffersController, CustomersController, OrdersController, SubscriptionsController, InvoicesController],
  providers: [PartnerViews, { provide: ReconciliationJobs, useClass: QueuedReconciliationJobs }, ...RECONCILIATION_REQUEST_HANDLERS],
})
export class PartnersModule {}
