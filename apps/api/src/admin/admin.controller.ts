import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ProblemException } from '../http/problem';
import { ProblemDto } from '../partners/dto/common.dto';
import { DeadLetterListResponse, DeadLetterQuery, QUEUE_NAMES, QueueBoardResponse, ReplayResponse } from './admin.dto';
import { DeadLetters } from './dead-letters.service';

const DEFAULT_PAGE_SIZE = 100;

/** Far beyond any failed set a queue holds; keeps offset + size an exact integer for Redis. */
const MAX_OFFSET = 1_000_000_000;

/** Continuation tokens are opaque to callers; inside, the offset of the next page. */
const encodeOffset = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

function decodeOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (value as { offset?: unknown })?.offset;
    // Only a token encodeOffset would write byte for byte: Buffer's decoder skips foreign characters, JSON allows 1e3 and spacing.
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset > 0 && offset <= MAX_OFFSET && encodeOffset(offset) === token) return offset;
  } catch {
    // not base64url JSON: not ours
  }
  throw new ProblemException(400, 'invalid-continuation-token', 'continuationToken is not valid for this list.');
}

function knownQueue(queue: string): string {
  if (!QUEUE_NAMES.includes(queue)) {
    throw new ProblemException(400, 'unknown-queue', `queue must be one of: ${QUEUE_NAMES.join(', ')}.`, { parameter: 'queue' });
  }
  return queue;
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the admin role may call these' })
@ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Redis did not answer' })
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly deadLetters: DeadLetters) {}

  @Get('queues')
  @ApiOperation({ summary: 'The queues board: how many jobs of each queue wait, run, are delayed, completed or failed' })
  @ApiOkResponse({ type: QueueBoardResponse })
  async queues(): Promise<QueueBoardResponse> {
    return { queues: await this.deadLetters.board() };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: "A queue's dead letters (failed jobs), newest first, with why they failed" })
  @ApiOkResponse({ type: DeadLetterListResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  async list(@Query() query: DeadLetterQuery): Promise<DeadLetterListResponse> {
    const size = query.size ?? DEFAULT_PAGE_SIZE;
    const page = await this.deadLetters.list(query.queue, decodeOffset(query.continuationToken), size);
    const response: DeadLetterListResponse = { queue: query.queue, totalCount: page.totalCount, items: page.items };
    if (page.next !== null) {
      const uri = `/v1/admin/dead-letters?queue=${query.queue}&size=${size}&continuationToken=${encodeOffset(page.next)}`;
      response.links = { next: { uri, method: 'GET', headers: [] } };
    }
    return response;
  }

  @Post('dead-letters/:queue/:jobId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Puts a failed job back in its queue with fresh attempts (after fixing what made it fail)' })
  @ApiAcceptedResponse({ type: ReplayResponse })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Unknown queue' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such job' })
  @ApiConflictResponse({ type: ProblemDto, description: 'The job is not failed (waiting, running, completed…)' })
  async replay(@Param('queue') queue: string, @Param('jobId') jobId: string): Promise<ReplayResponse> {
    await this.deadLetters.replay(knownQueue(queue), jobId);
    return { queue, jobId, status: 'waiting' };
  }
}
