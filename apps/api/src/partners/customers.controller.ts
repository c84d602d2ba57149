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
import { CommandExecutor } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { customerDecider, customerStream } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import { CustomersRepository, customerView } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Roles } from '../auth/auth.decorators';
import { idempotencyKey } from '../http/idempotency';
import { UuidPipe } from '../http/params';
import { AuthenticatedClient, CurrentClient, RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from './dto/common.dto';
import { CreateCustomerRequest, CustomerListResponse, CustomerResponse } from './dto/customer.dto';
import { PartnerAccess } from './partner-access.service';
import { PartnerViews } from './partner-views.service';

@ApiTags('partner')
@ApiBearerAuth()
@Roles('partner')
@ApiBadRequestResponse({ type: ProblemDto })
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly access: PartnerAccess,
    private readonly customers: CustomersRepository,
    private readonly views: PartnerViews,
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
    const partnerId = client.tenantId!;
    const key = idempotencyKey(keyHeader);
    const customerId = key ? derivedId('customer', partnerId, key) : randomUUID();
    const { state } = await this.executor.execute(
      customerStream(customerId),
      customerDecider,
      (current) =>
        customerDecider.decide(
          {
            type: 'CreateCustomer',
            data: { customerId, partnerId, companyName: body.companyName, domain: body.domain ?? null, now: metadata.occurredAt },
          },
          current,
        ),
      { metadata },
    );
    if (state.status === 'none') throw new Error('customer not created');
    void reply.status(201).header('Location', `/v1/customers/${customerId}`);
    return customerView({ key: state.id, partnerId: state.partnerId, companyName: state.companyName, domain: state.domain });
  }

  @Get()
  @ApiOperation({ summary: "This partner's customers (read model; new ones appear once projected)" })
  @ApiOkResponse({ type: CustomerListResponse })
  async list(@CurrentClient() client: AuthenticatedClient, @Query() query: PageQuery): Promise<CustomerListResponse> {
    const size = query.size ?? 100;
    const page = await this.customers.listForPartner(client.tenantId!, { size, continuationToken: query.continuationToken });
    return this.views.list(page, '/v1/customers', size);
  }

  @Get(':customerId')
  @ApiOperation({ summary: 'One customer of this partner' })
  @ApiOkResponse({ type: CustomerResponse })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@CurrentClient() client: AuthenticatedClient, @Param('customerId', UuidPipe) customerId: string): Promise<CustomerResponse> {
    const state = await this.access.customer(client.tenantId!, customerId);
    return customerView({ key: state.id, partnerId: state.partnerId, companyName: state.companyName, domain: state.domain });
  }
}
