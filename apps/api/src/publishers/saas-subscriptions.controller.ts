import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ActivateSubscription,
  ChangeSaasSubscription,
  GetSaasSubscription,
  ListAvailablePlans,
  ListPublisherSubscriptions,
  RequestCancellation,
  ResolveSubscription,
  WaitingOperationResult,
} from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import type { ResolvedSubscription, SaasSubscription } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { ProblemDto } from '../partners/dto/common.dto';
import { marketplaceToken } from './marketplace-token';
import {
  ApiVersionQuery,
  ListAvailablePlansQuery,
  ListSubscriptionsQuery,
  SaasActivateRequest,
  SaasUpdateSubscriptionRequest,
} from './dto/saas-requests.dto';
import {
  SaasResolvedSubscription,
  SaasSubscriptionPlans,
  SaasSubscriptionResponse,
  SaasSubscriptionsResponse,
} from './dto/saas-responses.dto';
import { SaasApi } from './saas-api.decorators';
import { SaasLinks } from './saas-links.service';

const PAGE_SIZE = 100;

/**
 * The subscription operations of Microsoft's SaaS Fulfillment API v2 (`saasapi.v2.json`), for the
 * publisher of each subscription's offer. Success bodies follow Microsoft's schemas; errors are
 * RFC 9457 problem details.
 */
@SaasApi()
@Controller('api/saas/subscriptions')
export class SaasSubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly links: SaasLinks,
  ) {}

  @Post('resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve the authorization code of an activation link (the landing page’s token=) to its subscription' })
  @ApiHeader({ name: 'x-ms-marketplace-token', required: true, description: 'The token= value of the activation link, URL-decoded' })
  @ApiOkResponse({ type: SaasResolvedSubscription })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'The code was issued for another publisher’s subscription' })
  @ApiNotFoundResponse({ type: ProblemDto })
  async resolve(
    @CurrentClient() client: AuthenticatedClient,
    @Query() _query: ApiVersionQuery,
    @Headers('x-ms-marketplace-token') header: string | undefined,
  ): Promise<ResolvedSubscription> {
    return this.queries.execute(new ResolveSubscription(client.tenantId!, marketplaceToken(header)));
  }

  @Get()
  @ApiOperation({ summary: 'The publisher’s subscriptions, cancelled ones included, 100 a page (read model; also at …/subscriptions/)' })
  @ApiOkResponse({ type: SaasSubscriptionsResponse })
  async list(@CurrentClient() client: AuthenticatedClient, @Query() query: ListSubscriptionsQuery): Promise<{ subscriptions: SaasSubscription[]; '@nextLink'?: string }> {
    const page = await this.queries.execute(new ListPublisherSubscriptions(client.tenantId!, { size: PAGE_SIZE, continuationToken: query.continuationToken }));
    const subscriptions = page.items;
    return page.continuationToken ? { subscriptions, '@nextLink': this.links.nextPage(page.continuationToken) } : { subscriptions };
  }

  @Get(':subscriptionId')
  @ApiOperation({ summary: 'One subscription, always current' })
  @ApiOkResponse({ type: SaasSubscriptionResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'Unknown, or of another publisher’s offer' })
  async get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
  ): Promise<SaasSubscription> {
    return this.queries.execute(new GetSaasSubscription(client.tenantId!, subscriptionId));
  }

  @Get(':subscriptionId/listAvailablePlans')
  @ApiOperation({ summary: 'The plans of the subscription’s offer, the current one included' })
  @ApiOkResponse({ type: SaasSubscriptionPlans })
  @ApiNotFoundResponse({ type: ProblemDto })
  async listAvailablePlans(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() query: ListAvailablePlansQuery,
  ): Promise<SaasSubscriptionPlans> {
    return { plans: await this.queries.execute(new ListAvailablePlans(client.tenantId!, subscriptionId, query.planId)) };
  }

  @Post(':subscriptionId/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm fulfilment (FulfillmentConfirmed); billing starts once the licenses are assigned too' })
  @ApiOkResponse({ description: 'Confirmed, now or before with the same plan and quantity; no body' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'Unknown, another publisher’s, or cancelled (Unsubscribed)' })
  async activate(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
    @Body() body: SaasActivateRequest,
    @RequestMetadata() metadata: EventMetadata,
  ): Promise<void> {
    await this.commands.execute(new ActivateSubscription(client.tenantId!, subscriptionId, body.planId, body.quantity ?? null, metadata));
  }

  @Patch(':subscriptionId')
  @ApiOperation({ summary: 'Change the plan or the quantity (one per call); the change waits as an operation' })
  @ApiAcceptedResponse({ description: 'Operation-Location: the operation to poll', headers: { 'Operation-Location': { description: 'Absolute URL of the operation' } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'Another operation is still InProgress' })
  async update(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
    @Body() body: SaasUpdateSubscriptionRequest,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const change = new ChangeSaasSubscription(client.tenantId!, subscriptionId, body.planId ?? null, body.quantity ?? null, metadata);
    this.accepted(reply, await this.commands.execute(change));
  }

  @Delete(':subscriptionId')
  @ApiOperation({ summary: 'Cancel the subscription; the cancellation waits as an operation' })
  @ApiAcceptedResponse({ description: 'Operation-Location: the operation to poll', headers: { 'Operation-Location': { description: 'Absolute URL of the operation' } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'Another operation is still InProgress' })
  async remove(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    this.accepted(reply, await this.commands.execute(new RequestCancellation(client.tenantId!, subscriptionId, metadata)));
  }

  /** 202 pointing at the operation that now waits: the one just requested, or the same one requested before. */
  private accepted(reply: FastifyReply, { subscription, waitingOperationId }: WaitingOperationResult): void {
    void reply.status(202).header('Operation-Location', this.links.operation(subscription.id, waitingOperationId));
  }
}
