import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
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
import { GetActivationLinks, GetOrder, ListOrders, PlaceOrder } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import { orderView } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { idempotencyKey } from '../http/idempotency';
import { PositiveIntPipe, UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { ActivationLinksResponse, OrderListResponse, OrderResponse, PlaceOrderRequest } from './dto/order.dto';
import { collection } from './partner-views.service';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiNotFoundResponse({ type: ProblemDto })
@Controller('v1/customers/:customerId/orders')
export class OrdersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
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
    const lines = body.lineItems.map((item) => ({
      offerId: item.offerId,
      planId: item.planId,
      quantity: item.quantity,
      termDuration: item.termDuration,
      billingCycle: item.billingCycle,
      friendlyName: item.friendlyName ?? null,
      partnerIdOnRecord: item.partnerIdOnRecord ?? null,
    }));
    const order = await this.commands.execute(new PlaceOrder(client.tenantId!, customerId, lines, idempotencyKey(keyHeader), metadata));
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
    const size = query.size ?? 100;
    const page = await this.queries.execute(new ListOrders(client.tenantId!, customerId, { size, continuationToken: query.continuationToken }));
    return collection(page, `/v1/customers/${customerId}/orders`, size);
  }

  @Get(':orderId')
  @ApiOperation({ summary: 'One order' })
  @ApiOkResponse({ type: OrderResponse })
  get(
    @CurrentClient() client: AuthenticatedClient,
    @Param('customerId', UuidPipe) customerId: string,
    @Param('orderId', UuidPipe) orderId: string,
  ): Promise<OrderResponse> {
    return this.queries.execute(new GetOrder(client.tenantId!, customerId, orderId));
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
    const { uri } = await this.queries.execute(new GetActivationLinks(client.tenantId!, customerId, orderId, lineItemNumber));
    if (!uri) return { totalCount: 0, items: [] };
    return { totalCount: 1, items: [{ lineItemNumber, link: { uri, method: 'GET', headers: [] } }] };
  }
}
