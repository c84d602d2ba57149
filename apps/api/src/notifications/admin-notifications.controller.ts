import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import { GetNotification, ListNotificationAttempts, ListNotifications } from '@mfh/application';
import type { NotificationDelivery } from '@mfh/read-models';
import { Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../http/params';
import { ProblemDto } from '../partners/dto/common.dto';
import {
  DeliveryQuery,
  NotificationAttemptListResponse,
  NotificationDeliveryDetailResponse,
  NotificationDeliveryListResponse,
  NotificationDeliveryResponse,
} from './notification.dto';

const DEFAULT_PAGE_SIZE = 100;

function summary({ payload: _payload, ...delivery }: NotificationDelivery): NotificationDeliveryResponse {
  return delivery;
}

/** What the worker sent to publishers, and how each delivery attempt went (SPEC §7), for admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the admin role may call these' })
@Controller('v1/admin/notifications')
export class AdminNotificationsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Notifications to publishers, oldest first, each with its state and last delivery attempt' })
  @ApiOkResponse({ type: NotificationDeliveryListResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  async list(@Query() query: DeliveryQuery): Promise<NotificationDeliveryListResponse> {
    const size = query.size ?? DEFAULT_PAGE_SIZE;
    const filter = { subscriptionId: query.subscriptionId?.toLowerCase(), state: query.state };
    const page = await this.queries.execute(new ListNotifications(filter, { size, continuationToken: query.continuationToken }));
    const response: NotificationDeliveryListResponse = { totalCount: page.totalCount, items: page.items.map(summary) };
    if (page.continuationToken) {
      const params = new URLSearchParams({ size: String(size), continuationToken: page.continuationToken });
      if (filter.subscriptionId) params.set('subscriptionId', filter.subscriptionId);
      if (filter.state) params.set('state', filter.state);
      response.links = { next: { uri: `/v1/admin/notifications?${params.toString()}`, method: 'GET', headers: [] } };
    }
    return response;
  }

  @Get(':deliveryId')
  @ApiOperation({ summary: 'One notification: what was posted, its state and last attempt' })
  @ApiOkResponse({ type: NotificationDeliveryDetailResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@Param('deliveryId', UuidPipe) deliveryId: string): Promise<NotificationDeliveryDetailResponse> {
    return this.queries.execute(new GetNotification(deliveryId));
  }

  @Get(':deliveryId/attempts')
  @ApiOperation({ summary: "Every attempt to deliver one notification: when, the publisher's HTTP status or the error, and what followed" })
  @ApiOkResponse({ type: NotificationAttemptListResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  async attempts(@Param('deliveryId', UuidPipe) deliveryId: string): Promise<NotificationAttemptListResponse> {
    const { delivery, attempts } = await this.queries.execute(new ListNotificationAttempts(deliveryId));
    return { deliveryId, state: delivery.state, totalCount: attempts.length, items: attempts };
  }
}
