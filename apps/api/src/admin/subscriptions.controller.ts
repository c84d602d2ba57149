import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ChangeSuspension, GetSubscription, SuspensionChange } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../http/params';
import { RequestMetadata } from '../http/request-context';
import { ProblemDto } from '../partners/dto/common.dto';
import { SubscriptionResponse } from '../partners/dto/subscription.dto';
import { SuspendRequest } from './admin.dto';

/** The marketplace's own hand on a subscription: suspension (nonpayment, fraud) and reinstatement, as SPEC §13 has them. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the admin role may call these' })
@ApiNotFoundResponse({ type: ProblemDto })
@ApiConflictResponse({ type: ProblemDto, description: 'Not in a state that allows it; the problem names why' })
@Controller('v1/admin/subscriptions')
export class AdminSubscriptionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post(':subscriptionId/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend an active subscription: billing pauses, the publisher gets Suspend, and it is cancelled after SUSPENSION_GRACE unless reinstated' })
  @ApiOkResponse({ type: SubscriptionResponse })
  suspend(
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @Body() body: SuspendRequest,
    @RequestMetadata() metadata: EventMetadata,
  ): Promise<SubscriptionResponse> {
    return this.change(subscriptionId, { suspend: body.suspensionReasons }, metadata);
  }

  @Post(':subscriptionId/reinstate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask to reinstate a suspended subscription: 202 while the publisher answers its Reinstate (accepted after 10 s without one)' })
  @ApiOkResponse({ type: SubscriptionResponse, description: 'Nothing to do: it is active' })
  @ApiAcceptedResponse({ type: SubscriptionResponse, description: 'The Reinstate operation waits for the publisher; pendingOperations shows it' })
  async reinstate(
    @Param('subscriptionId', UuidPipe) subscriptionId: string,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionResponse> {
    const view = await this.change(subscriptionId, { reinstate: true }, metadata);
    if (view.pendingOperations.some((op) => op.action === 'Reinstate')) void reply.status(202);
    return view;
  }

  private async change(subscriptionId: string, change: SuspensionChange, metadata: EventMetadata): Promise<SubscriptionResponse> {
    const result = await this.commands.execute(new ChangeSuspension(subscriptionId, change, metadata));
    const { partnerId, customerId } = result.subscription;
    return (await this.queries.execute(new GetSubscription(partnerId, customerId, subscriptionId, result))).subscription;
  }
}
