import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CustomersController } from './customers.controller';
import { OffersController } from './offers.controller';
import { OrdersController } from './orders.controller';
import { PartnerAccess } from './partner-access.service';
import { PartnerViews } from './partner-views.service';
import { PlaceOrderService } from './place-order.service';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [AuthModule],
  controllers: [OffersController, CustomersController, OrdersController, SubscriptionsController],
  providers: [PartnerAccess, PartnerViews, PlaceOrderService],
})
export class PartnersModule {}
