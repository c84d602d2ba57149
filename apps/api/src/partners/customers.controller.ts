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
import { CreateCustomer, GetCustomer, ListCustomers } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import { customerView } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { idempotencyKey } from '../http/idempotency';
import { UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { CreateCustomerRequest, CustomerListResponse, CustomerResponse } from './dto/customer.dto';
import { collection } from './partner-views.service';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a customer of this partner' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A resend with the same key returns the same customer' })
  @ApiCreatedResponse({ type: CustomerResponse })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'The Idempotency-Key was used with another body' })
  async create(
    @CurrentClient() client: AuthenticatedClient,
    @Body() body: CreateCustomerRequest,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerResponse> {
    const customer = await this.commands.execute(
      new CreateCustomer(
        client.tenantId!,
        body.companyName,
        body.domain ?? null,
        body.testClockId?.toLowerCase() ?? null,
        idempotencyKey(keyHeader),
        metadata,
      ),
    );
    void reply.status(201).header('Location', `/v1/customers/${customer.id}`);
    return customerView({ key: customer.id, ...customer });
  }

  @Get()
  @ApiOperation({ summary: "This partner's customers (read model; new ones appear once projected)" })
  @ApiOkResponse({ type: CustomerListResponse })
  async list(@CurrentClient() client: AuthenticatedClient, @Query() query: PageQuery): Promise<CustomerListResponse> {
    const size = query.size ?? 100;
    const page = await this.queries.execute(new ListCustomers(client.tenantId!, { size, continuationToken: query.continuationToken }));
    return collection(page, '/v1/customers', size);
  }

  @Get(':customerId')
  @ApiOperation({ summary: 'One customer of this partner' })
  @ApiOkResponse({ type: CustomerResponse })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@CurrentClient() client: AuthenticatedClient, @Param('customerId', UuidPipe) customerId: string): Promise<CustomerResponse> {
    return this.queries.execute(new GetCustomer(client.tenantId!, customerId));
  }
}
