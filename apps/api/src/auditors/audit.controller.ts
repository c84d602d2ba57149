import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { SubscriptionErrors } from '@mfh/domain';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { EventStore, formatPosition, GlobalPosition, parsePosition } from '@mfh/event-store';
import { partnerSubscriptionView, SubscriptionsRepository, verifySubscription } from '@mfh/read-models';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { Roles } from '../auth/auth.decorators';
import { UuidPipe } from '../http/params';
import { ProblemException } from '../http/problem';
import { ProblemDto } from '../partners/dto/common.dto';
import { auditEvent, auditFeedEvent, AuditLog } from './audit-log.service';
import { AuditFeedQuery, AuditStateQuery, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from './dto/audit-requests.dto';
import { AuditFeedResponse, AuditHistoryResponse, AuditStateResponse, AuditVerificationResponse } from './dto/audit-responses.dto';
import { NDJSON, ndjsonStream, wantsNdjson } from './ndjson';
import { ReplayPoint, replaySubscription } from './subscription-replay';

/** Both halves of a position are 64-bit in every store; a larger one would overflow the store's query. */
const MAX_POSITION_PART = 2n ** 63n - 1n;

function feedPosition(after: string | undefined): GlobalPosition | null {
  if (after === undefined) return null;
  const position = parsePosition(after);
  if (!position || position.commit > MAX_POSITION_PART || position.prepare > MAX_POSITION_PART) {
    throw new ProblemException(400, 'invalid-position', 'after must be a position from this feed, like 1042-17.', {
      errors: [{ pointer: '/after', detail: 'not a position of this log' }],
    });
  }
  return position;
}

function replayPoint(query: AuditStateQuery): ReplayPoint {
  if ((query.asOf === undefined) === (query.revision === undefined)) {
    throw new ProblemException(400, 'invalid-state-query', 'Send exactly one of asOf (an ISO 8601 date-time) and revision (a whole number).');
  }
  return query.asOf !== undefined ? { asOf: new Date(query.asOf) } : { revision: query.revision! };
}

@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the auditor role may call these' })
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly log: AuditLog,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  @Get('subscriptions/:subscriptionId/events')
  @ApiOperation({ summary: 'Every event of a subscription, any tenant’s, in order, with its metadata and hash chain' })
  @ApiOkResponse({ type: AuditHistoryResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such subscription' })
  async events(@Param('subscriptionId', UuidPipe) subscriptionId: string): Promise<AuditHistoryResponse> {
    const events = await this.log.history(subscriptionId);
    return { subscriptionId, streamId: events[0].streamId, events: events.map(auditEvent) };
  }

  @Get('subscriptions/:subscriptionId/state')
  @ApiOperation({
    summary: 'The subscription as it stood at a revision or at a business time (asOf), rebuilt by replaying its events',
    description:
      'Replays the stream through the same evolve the command side decides on, and shows the result as the partner API does. ' +
      'asOf compares with each event’s metadata.occurredAt (the clock its command was decided on, not when the store wrote it) ' +
      'and stops at the first event that occurred later, so the answer is always a state the subscription really had.',
  })
  @ApiOkResponse({ type: AuditStateResponse })
  @ApiNotFoundResponse({
    type: ProblemDto,
    description: 'No such subscription (subscription-not-found), asOf before its purchase (not-yet-purchased), or a revision past its last (revision-not-found)',
  })
  async state(@Param('subscriptionId', UuidPipe) subscriptionId: string, @Query() query: AuditStateQuery): Promise<AuditStateResponse> {
    const point = replayPoint(query);
    const events = await this.log.history(subscriptionId);
    const latest = events[events.length - 1];
    if ('revision' in point && point.revision > latest.revision) {
      throw new ProblemException(404, 'revision-not-found', `The subscription's last revision is ${latest.revision}.`, { lastRevision: latest.revision });
    }
    const replayed = replaySubscription(events, point);
    if (!replayed) {
      const purchasedAt = String(events[0].metadata.occurredAt);
      throw new ProblemException(404, 'not-yet-purchased', `The subscription did not exist yet at ${query.asOf}; it was purchased at ${purchasedAt}.`, {
        purchasedAt,
      });
    }
    return {
      subscriptionId,
      revision: replayed.last.revision,
      occurredAt: String(replayed.last.metadata.occurredAt),
      recordedAt: replayed.last.recordedAt.toISOString(),
      asOf: query.asOf ?? null,
      // Exactly what the partner detail shows, less the activation link: it would need a code issued now.
      subscription: partnerSubscriptionView(replayed.state),
    };
  }

  @Get('subscriptions/:subscriptionId/verify')
  @ApiOperation({
    summary: 'Recomputes the subscription’s hash chain: any edit to a stored event is found, with the first revision it breaks',
    description:
      'reason: content-altered (an event no longer matches its hash), previous-hash-mismatch (an event no longer links to the one before), ' +
      'revision-gap (an event is missing), or truncated: the stream ends before the last revision the subscriptions read model applied, ' +
      'so its last events were deleted. That last check holds as long as the read model was not rebuilt from the altered log.',
  })
  @ApiOkResponse({ type: AuditVerificationResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such subscription' })
  async verify(@Param('subscriptionId', UuidPipe) subscriptionId: string): Promise<AuditVerificationResponse> {
    const result = await verifySubscription(this.store, this.subscriptions, subscriptionId);
    if (!result) throw SubscriptionErrors.notFound();
    const { storedEvents: _stored, ...verification } = result;
    return { subscriptionId, ...verification };
  }

  @Get('events')
  @ApiOperation({
    summary: 'The global feed of every stream, in order; with Accept: application/x-ndjson, streamed one event per line',
    description:
      `JSON: a page of limit events (default ${FEED_DEFAULT_LIMIT}, at most ${FEED_MAX_LIMIT}) after the position in after, and next, the after= of the following page. ` +
      'NDJSON: every event after after to the end of the log (or limit events), one JSON object per line, read and written page by page.',
  })
  @ApiProduces('application/json', NDJSON)
  @ApiHeader({ name: 'Accept', required: false, description: `${NDJSON} streams the feed` })
  @ApiOkResponse({ type: AuditFeedResponse, description: `application/json: this document; ${NDJSON}: one event per line, in this document's events shape` })
  async feed(
    @Query() query: AuditFeedQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditFeedResponse | Readable> {
    const after = feedPosition(query.after);
    const limit = query.limit ?? null;
    void reply.header('Vary', 'Accept');
    if (wantsNdjson(accept)) {
      const pages = await this.log.feed(after, limit);
      void reply.header('Content-Type', `${NDJSON}; charset=utf-8`).header('Cache-Control', 'no-store');
      return ndjsonStream(pages, auditFeedEvent);
    }
    if (limit !== null && limit > FEED_MAX_LIMIT) {
      throw new ProblemException(400, 'invalid-limit', `limit must be between 1 and ${FEED_MAX_LIMIT}.`, {
        errors: [{ pointer: '/limit', detail: `at most ${FEED_MAX_LIMIT}` }],
      });
    }
    const size = limit ?? FEED_DEFAULT_LIMIT;
    const events = await this.log.page(after, size);
    const next = events.length === size ? formatPosition(events[events.length - 1].position) : null;
    return { events: events.map(auditFeedEvent), next };
  }
}
