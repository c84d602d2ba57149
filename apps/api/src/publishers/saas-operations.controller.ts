import { Body, Controller, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AnswerOperation, GetSaasOperation, ListSaasOperations } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import type { SaasOperation } from '@mfh/read-models';
import { UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { ProblemDto } from '../partners/dto/common.dto';
import { ApiVersionQuery, SaasUpdateOperationRequest } from './dto/saas-requests.dto';
import { SaasOperationList, SaasOperationResponse } from './dto/saas-responses.dto';
import { SaasApi } from './saas-api.decorators';

/** The operations of Microsoft's SaaS Fulfillment API v2: what waits for the publisher, and its answer to it. */
@SaasApi()
@ApiNotFoundResponse({ type: ProblemDto, description: 'Unknown subscription or operation, or another publisher’s' })
@Controller('api/saas/subscriptions/:subscriptionId/operations')
export class SaasOperationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The operations that wait for the publisher (InProgress)' })
  @ApiOkResponse({ type: SaasOperationList })
  async list(
    @CurrentClient() client: AuthenticatedClient,
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Query() _query: ApiVersionQuery,
  ): Promise<{ operations: SaasOperation[] }> {
    return { operations: await this.queries.execute(new ListSaasOperations(client.tenantId!, subscriptionId)) };
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
    return this.queries.execute(new GetSaasOperation(client.tenantId!, subscriptionId, operationId));
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
    await this.commands.execute(new AnswerOperation(client.tenantId!, subscriptionId, operationId, body, metadata));
  }
}
