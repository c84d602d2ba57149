import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdvanceTestClock, CreateTestClock, GetTestClock, ListTestClocks } from '@mfh/application';
import type { EventMetadata } from '@mfh/event-store';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth.decorators';
import { idempotencyKey } from '../http/idempotency';
import { UuidPipe } from '../http/params';
import { RequestMetadata } from '../http/request-context';
import { PageQuery, ProblemDto } from '../partners/dto/common.dto';
import { collection } from '../partners/partner-views.service';
import { AdvanceTestClockRequest, CreateTestClockRequest, TestClockListResponse, TestClockResponse, testClockResponse } from './test-clocks.dto';

const PATH = '/v1/admin/test-clocks';

/** Sandbox time (SPEC §14): clocks that stand still until advanced, for customers bound to them. Only routed when SANDBOX=true. */
@ApiTags('sandbox')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the admin role may call these' })
@Controller(PATH.slice(1))
export class TestClocksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a test clock standing still at frozenTime' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A resend with the same key returns the same clock' })
  @ApiCreatedResponse({ type: TestClockResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  async create(
    @Body() body: CreateTestClockRequest,
    @Headers('idempotency-key') keyHeader: string | undefined,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TestClockResponse> {
    const clock = await this.commands.execute(new CreateTestClock(body.name, body.frozenTime, idempotencyKey(keyHeader), metadata));
    void reply.status(201).header('Location', `${PATH}/${clock.id}`);
    return testClockResponse(clock);
  }

  @Get()
  @ApiOperation({ summary: 'Every test clock, oldest first (read model; new ones appear once projected)' })
  @ApiOkResponse({ type: TestClockListResponse })
  async list(@Query() query: PageQuery): Promise<TestClockListResponse> {
    const size = query.size ?? 100;
    const page = await this.queries.execute(new ListTestClocks({ size, continuationToken: query.continuationToken }));
    return collection({ ...page, items: page.items.map(testClockResponse) }, PATH, size);
  }

  @Get(':testClockId')
  @ApiOperation({ summary: 'One test clock, read from its stream' })
  @ApiOkResponse({ type: TestClockResponse })
  @ApiNotFoundResponse({ type: ProblemDto })
  async get(@Param('testClockId', UuidPipe) testClockId: string): Promise<TestClockResponse> {
    return testClockResponse(await this.queries.execute(new GetTestClock(testClockId)));
  }

  @Post(':testClockId/advance')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Move the clock forward to frozenTime',
    description:
      'The clock reads `advancing` while the worker fires every timer due up to frozenTime, in due order and at its due time, ' +
      'waiting for each one’s effects; then `ready`. At most two years per call.',
  })
  @ApiAcceptedResponse({ type: TestClockResponse })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Backwards, or more than two years ahead' })
  @ApiConflictResponse({ type: ProblemDto, description: 'An advance is already running' })
  @ApiNotFoundResponse({ type: ProblemDto })
  async advance(
    @Param('testClockId', UuidPipe) testClockId: string,
    @Body() body: AdvanceTestClockRequest,
    @RequestMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TestClockResponse> {
    const clock = await this.commands.execute(new AdvanceTestClock(testClockId.toLowerCase(), body.frozenTime, metadata));
    void reply.header('Location', `${PATH}/${clock.id}`);
    return testClockResponse(clock);
  }
}
