import { Body, Controller, Get, Headers, Param, Patch, Query, Res } from '@nestjs/common';
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
import { CommandExecutor } from '@mfh/application';
import { Catalog } from '@mfh/config';
import { decideAll, SubscriptionErrors, subscriptionDecider, subscriptionStream } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import { operationView, SubscriptionsRepository } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Roles } from '../auth/auth.decorators';
import { etagOf, parseIfMatch, UuidPipe } from '../http/params';
import { ProblemException } from '../http/problem';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { OperationResponse, SubscriptionListResponse, SubscriptionResponse, UpdateSubscriptionRequest } from './dto/subscription.dto';
import { owned, PartnerAccess } from './partner-access.service';
import { PartnerViews } from './partner-views.service';
import { commandsFor } from './update-subscription';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiNotFoundResponse({ type: ProblemDto })
@Controller('v1/customers/:customerId/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly access: PartnerAccess,
    private readonly repository: SubscriptionsRepository,
    private readonly views: PartnerViews,
    private readonly catalog: Catalog,
  ) {}

  @Get()
  @ApiOperation({ summary: "The customer's subscriptions, with their status and any action needed (read model)" })
  @ApiOkResponse({ type: SubscriptionListResponse })
  async list(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Query() query: PageQuery,
  ): Promise<SubscriptionListResponse> {
    await this.access.customer(client.tenantId!, customerId);
    const size = query.size ?? 100;
    const page = await this.repository.listForCustomer(client.tenantId!, customerId, { size, continuationToken: query.continuationToken });
    const items = await Promise.all(page.items.map((state) => this.views.subscription(state)));
    return this.views.list({ ...page, items }, `/v1/customers/${customerId}/subscriptions`, size);
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
    const { state, revision } = await this.access.subscription(client.tenantId!, customerId, subscriptionId);
    void reply.header('ETag', etagOf(revision));
    return this.views.subscription(state);
  }

  @Patch(':subscriptionId')
  @ApiOperation({
    summary: 'Rename, change seats, turn auto-renew off or on, set or remove the indirect reseller, or cancel (status: deleted)',
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
      throw new ProblemException(400, 'empty-update', 'Send at least one of friendlyName, quantity, autoRenewEnabled, partnerId, status.');
    }
    const expectedRevision = parseIfMatch(ifMatch);
    const result = await this.executor.execute(
      subscriptionStream(subscriptionId),
      subscriptionDecider,
      (current) => {
        const state = owned(current, client.tenantId!, customerId);
        return decideAll(subscriptionDecider, commandsFor(body, state, this.catalog, { now: metadata.occurredAt, newOperationId: randomUUID }), state);
      },
      { metadata, expectedRevision },
    );
    const state = owned(result.state, client.tenantId!, customerId);
    void reply.header('ETag', etagOf(result.revision));
    const waiting = result.appended.find((event) => event.type === 'SeatChangeRequested');
    if (waiting) {
      const location = this.views.absolute(`/v1/customers/${customerId}/subscriptions/${subscriptionId}/operations/${String(waiting.data.operationId)}`);
      void reply.status(202).header('Operation-Location', location);
    }
    return this.views.subscription(state);
  }

  @Get(':subscriptionId/operations/:operationId')
  @ApiOperation({ summary: 'A change that waits, or waited, for the publisher' })
  @ApiOkResponse({ type: OperationResponse })
  async operation(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Param('operationId', UuidPipe) operationId: string,
  ): Promise<OperationResponse> {
    const { state } = await this.access.subscription(client.tenantId!, customerId, subscriptionId);
    const operation = state.operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return operationView(operation);
  }
}
