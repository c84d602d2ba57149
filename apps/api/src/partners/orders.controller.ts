import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { subscriptionDecider, subscriptionStream } from '@mfh/domain';
import { EventStore, EventMetadata, loadState } from '@mfh/event-store';
import { OrdersRepository, orderView } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { idempotencyKey } from '../http/idempotency';
import { PositiveIntPipe, UuidPipe } from '../http/params';
import { ProblemException } from '../http/problem';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { ActivationLinksResponse, OrderListResponse, OrderResponse, PlaceOrderRequest } from './dto/order.dto';
import { PartnerAccess } from './partner-access.service';
import { PartnerViews } from './partner-views.service';
import { PlaceOrderService } from './place-order.service';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiNotFoundResponse({ type: ProblemDto })
@Controller('v1/customers/:customerId/orders')
export class OrdersController {
  constructor(
    private readonly orders: PlaceOrderService,
    private readonly access: PartnerAccess,
    private readonly repository: OrdersRepository,
    private readonly views: PartnerViews,
    private readonly store: EventStore,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Buy: one subscription per line item' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A resend with the same key returns the same order and ids' })
  @ApiCreatedResponse({ type: OrderResponse })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'The Idempotency-Key was used with another body' })
  async place(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Body() body: PlaceOrderRequest,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const order = await this.orders.place(client.tenantId!, customerId, body, idempotencyKey(keyHeader), metadata);
    void reply.status(201).header('Location', `/v1/customers/${customerId}/orders/${order.orderId}`);
    return orderView(order);
  }

  @Get()
  @ApiOperation({ summary: "The customer's orders (read model; new ones appear once projected)" })
  @ApiOkResponse({ type: OrderListResponse })
  async list(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Query() query: PageQuery,
  ): Promise<OrderListResponse> {
    await this.access.customer(client.tenantId!, customerId);
    const size = query.size ?? 100;
    const page = await this.repository.listForCustomer(client.tenantId!, customerId, { size, continuationToken: query.continuationToken });
    return this.views.list(page, `/v1/customers/${customerId}/orders`, size);
  }

  @Get(':orderId')
  @ApiOperation({ summary: 'One order' })
  @ApiOkResponse({ type: OrderResponse })
  async get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('orderId', UuidPipe) orderId: string,
  ): Promise<OrderResponse> {
    return orderView(await this.access.order(client.tenantId!, customerId, orderId));
  }

  @Get(':orderId/lineitems/:lineItemNumber/activationlinks')
  @ApiOperation({ summary: "The publisher's activation link for a line item, with an authorization code that stays valid for most of its TTL" })
  @ApiOkResponse({ type: ActivationLinksResponse })
  async activationLinks(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('orderId', UuidPipe) orderId: string,
    @Param('lineItemNumber', PositiveIntPipe) lineItemNumber: number,
  ): Promise<ActivationLinksResponse> {
    const order = await this.access.order(client.tenantId!, customerId, orderId);
    const item = order.lineItems.find((i) => i.lineItemNumber === lineItemNumber);
    if (!item) throw new ProblemException(404, 'line-item-not-found', `Order ${orderId} has no line item ${lineItemNumber}.`);
    const { state } = await loadState(this.store, subscriptionStream(item.subscriptionId), subscriptionDecider);
    const uri = state.status === 'none' ? null : await this.views.activationLink(state);
    if (!uri) return { totalCount: 0, items: [] };
    return { totalCount: 1, items: [{ lineItemNumber, link: { uri, method: 'GET', headers: [] } }] };
  }
}
