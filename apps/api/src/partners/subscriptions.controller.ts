import { Body, Controller, Get, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { GetOperation, GetSubscription, ListCustomerSubscriptions, UpdateSubscription } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { etagOf, parseIfMatch, UuidPipe } from '../http/params';
import { ProblemException } from '../http/problem';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { OperationResponse, SubscriptionListResponse, SubscriptionResponse, UpdateSubscriptionRequest } from './dto/subscription.dto';
import { collection, collectionJson, PartnerViews } from './partner-views.service';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiNotFoundResponse({ type: ProblemDto })
@Controller('v1/customers/:customerId/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly views: PartnerViews,
  ) {}

  @Get()
  @ApiOperation({ summary: "The customer's subscriptions, with their status and any action needed (read model)" })
  @ApiOkResponse({ type: SubscriptionListResponse })
  async list(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Query() query: PageQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const size = query.size ?? 100;
    const page = await this.queries.execute(
      new ListCustomerSubscriptions(client.tenantId!, customerId, { size, continuationToken: query.continuationToken }),
    );
    return collectionJson(reply, collection({ ...page, items: [] }, `/v1/customers/${customerId}/subscriptions`, size), page.items);
  }

  @Get(':subscriptionId')
  @ApiOperation({ summary: 'One subscription, always current; its ETag versions it' })
  @ApiOkResponse({ type: SubscriptionResponse, headers: { ETag: { description: 'The revision, for If-Match' } } })
  async get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionResponse> {
    const { subscription, revision } = await this.queries.execute(new GetSubscription(client.tenantId!, customerId, subscriptionId));
    void reply.header('ETag', etagOf(revision));
    return subscription;
  }

  @Patch(':subscriptionId')
  @ApiOperation({
    summary:
      'Rename, change seats, turn auto-renew off or on, set or remove the indirect reseller, schedule changes at renewal ' +
      '(scheduledNextTermInstructions), suspend, reinstate, or cancel (status: deleted)',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read before; a stale one is refused with 412' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiAcceptedResponse({ type: SubscriptionResponse, description: 'A seat change waits for the publisher; see Operation-Location' })
  @ApiConflictResponse({ type: ProblemDto, description: 'A rule refused the change; the problem names it' })
  @ApiPreconditionFailedResponse({ type: ProblemDto })
  async update(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Body() body: UpdateSubscriptionRequest,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionResponse> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new ProblemException(
        400,
        'empty-update',
        'Send at least one of friendlyName, quantity, autoRenewEnabled, partnerId, status, scheduledNextTermInstructions.',
      );
    }
    if ((body.status === 'suspended') !== (body.suspensionReasons !== undefined)) {
      throw new ProblemException(400, 'suspension-reasons', 'status suspended needs suspensionReasons, and suspensionReasons go only with it.');
    }
    if ((body.status === 'suspended' || body.status === 'active') && body.quantity !== undefined) {
      throw new ProblemException(400, 'status-with-quantity', 'Suspending or reinstating cannot go with a seat change in one PATCH: seats wait while suspended.');
    }
    if (body.scheduledNextTermInstructions && (body.quantity !== undefined || body.status !== undefined)) {
      // A seat change clears the instructions, and a status change decides whether they can apply at all: one thing at a time.
      throw new ProblemException(400, 'next-term-with-change', 'scheduledNextTermInstructions cannot go with quantity or status in one PATCH.', {
        errors: [{ pointer: '/scheduledNextTermInstructions', detail: 'send it in a PATCH of its own, or with friendlyName, autoRenewEnabled, partnerId' }],
      });
    }
    const result = await this.commands.execute(
      new UpdateSubscription(client.tenantId!, customerId, subscriptionId, body, parseIfMatch(ifMatch), metadata),
    );
    void reply.header('ETag', etagOf(result.revision));
    if (result.startedOperationId) {
      const location = this.views.absolute(`/v1/customers/${customerId}/subscriptions/${subscriptionId}/operations/${result.startedOperationId}`);
      void reply.status(202).header('Operation-Location', location);
    }
    const { subscription } = await this.queries.execute(new GetSubscription(client.tenantId!, customerId, subscriptionId, result));
    return subscription;
  }

  @Get(':subscriptionId/operations/:operationId')
  @ApiOperation({ summary: 'A change that waits, or waited, for the publisher' })
  @ApiOkResponse({ type: OperationResponse })
  operation(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Param('operationId', UuidPipe) operationId: string,
  ): Promise<OperationResponse> {
    return this.queries.execute(new GetOperation(client.tenantId!, customerId, subscriptionId, operationId));
  }
}
