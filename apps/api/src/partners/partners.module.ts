import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CustomersController } from './customers.controller';
import { OffersController } from './offers.controller';
import { OrdersController } from './orders.controller';
import { PartnerViews } from './partner-views.service';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [AuthModule],
  controllers: [OffersController, CustomersController, OrdersController, SubscriptionsController],
  providers: [PartnerViews],
})
export class PartnersModule {}
