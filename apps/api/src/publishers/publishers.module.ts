import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ApiVersionGuard } from './api-version.guard';
import { ListPathAlias } from './list-path-alias';
import { SaasLinks } from './saas-links.service';
import { SaasOperationsController } from './saas-operations.controller';
import { SaasSubscriptionsController } from './saas-subscriptions.controller';

/** The publisher-facing SaaS Fulfillment API v2 under /api/saas. */
@Module({
  imports: [AuthModule],
  controllers: [SaasSubscriptionsController, SaasOperationsController],
  providers: [SaasLinks, ApiVersionGuard, ListPathAlias],
})
export class PublishersModule {}
