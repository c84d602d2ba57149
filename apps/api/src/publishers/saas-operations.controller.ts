import { Body, Controller, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { SubscriptionErrors } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import { SaasOperation, saasOperationView } from '@mfh/read-models';
import { UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { ProblemDto } from '../partners/dto/common.dto';
import { ApiVersionQuery, SaasUpdateOperationRequest } from './dto/saas-requests.dto';
import { SaasOperationList, SaasOperationResponse } from './dto/saas-responses.dto';
import { answerOperation } from './publisher-commands';
import { PublisherSubscriptions } from './publisher-subscriptions.service';
import { SaasApi } from './saas-api.decorators';

/** The operations of Microsoft's SaaS Fulfillment API v2: what waits for the publisher, and its answer to it. */
@SaasApi()
@ApiNotFoundResponse({ type: ProblemDto, description: 'Unknown subscription or operation, or another publisher’s' })
@Controller('api/saas/subscriptions/:subscriptionId/operations')
export class SaasOperationsController {
  constructor(private readonly subscriptions: PublisherSubscriptions) {}

  @Get()
  @ApiOperation({ summary: 'The operations that wait for the publisher (InProgress)' })
  @ApiOkResponse({ type: SaasOperationList })
  async list(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
  ): Promise<{ operations: SaasOperation[] }> {
    const state = await this.subscriptions.read(client.tenantId!, subscriptionId);
    const waiting = state.operations.filter((op) => op.status === 'InProgress');
    return { operations: waiting.map((op) => saasOperationView(state, op)) };
  }

  @Get(':operationId')
  @ApiOperation({ summary: 'One operation, waiting or finished (what Operation-Location points at)' })
  @ApiOkResponse({ type: SaasOperationResponse })
  async get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Param('operationId', UuidPipe) operationId: string,
    @Query() _query: ApiVersionQuery,
  ): Promise<SaasOperation> {
    const state = await this.subscriptions.read(client.tenantId!, subscriptionId);
    const operation = state.operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return saasOperationView(state, operation);
  }

  @Patch(':operationId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept (Success) or reject (Failure) an operation that is InProgress' })
  @ApiOkResponse({ description: 'Answered; no body' })
  @ApiConflictResponse({ type: ProblemDto, description: 'The operation is no longer InProgress' })
  async update(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Param('operationId', UuidPipe) operationId: string,
    @Query() _query: ApiVersionQuery,
    @Body() body: SaasUpdateOperationRequest,
    @RequestMetadata() metadata: EventMetadata,
  ): Promise<void> {
    await this.subscriptions.execute(
      client.tenantId!,
      subscriptionId,
      (state) => answerOperation(state, operationId, body, metadata.occurredAt),
      metadata,
    );
  }
}
