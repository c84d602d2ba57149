import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
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
import {
  FEED_DEFAULT_LIMIT,
  FEED_MAX_LIMIT,
  GetSubscriptionHistory,
  GetSubscriptionState,
  ReadAuditFeed,
  StreamAuditFeed,
  VerifyInvoice,
  VerifySubscription,
} from '@mfh/application';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { Roles } from '../auth/auth.decorators';
import { InvoiceIdPipe, UuidPipe } from '../http/params';
import { ProblemDto } from '../partners/dto/common.dto';
import { auditEvent, auditFeedEvent } from './audit-events';
import { AuditFeedQuery, AuditStateQuery } from './dto/audit-requests.dto';
import {
  AuditFeedResponse,
  AuditHistoryResponse,
  AuditInvoiceVerificationResponse,
  AuditStateResponse,
  AuditVerificationResponse,
} from './dto/audit-responses.dto';
import { NDJSON, ndjsonStream, wantsNdjson } from './ndjson';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@ApiBadRequestResponse({ type: ProblemDto })
@ApiForbiddenResponse({ type: ProblemDto, description: 'Only the auditor role may call these' })
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('subscriptions/:subscriptionId/events')
  @ApiOperation({ summary: 'Every event of a subscription, any tenant’s, in order, with its metadata and hash chain' })
  @ApiOkResponse({ type: AuditHistoryResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such subscription' })
  async events(@Param('subscriptionId', UuidPipe) subscriptionId: string): Promise<AuditHistoryResponse> {
    const events = await this.queries.execute(new GetSubscriptionHistory(subscriptionId));
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
  state(@Param('subscriptionId', UuidPipe) subscriptionId: string, @Query() query: AuditStateQuery): Promise<AuditStateResponse> {
    return this.queries.execute(new GetSubscriptionState(subscriptionId, query.asOf, query.revision));
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
    const { storedEvents: _stored, ...verification } = await this.queries.execute(new VerifySubscription(subscriptionId));
    return { subscriptionId, ...verification };
  }

  @Get('invoices/:invoiceId/verify')
  @ApiOperation({
    summary: 'Re-rates every line of an invoice’s period from the subscription logs and compares them with the lines stored on it, issued or still open',
    description:
      'Re-rates every subscription the stored lines name and every one of the partner (on the invoice’s test clock) bought before the period ended, ' +
      'and expects on the invoice each re-rated line of its month (unless the period was issued before the line was charged and it went on a later ' +
      'invoice: movedToLaterInvoices), and each line of an earlier month stored on it after every period between was issued. ' +
      'The money and rating fields are compared (amount, quantity, prices, charge type, dates, plan, subscription, referenceId, currency, reseller, …), ' +
      'not the descriptive names. Also recomputes the invoice stream’s hash chain and, once issued, checks InvoiceIssued’s lineCount, ' +
      'totalCharges and linesHash against the lines before it. On an open invoice, a cause the charger has not handled yet shows as missing.',
  })
  @ApiOkResponse({ type: AuditInvoiceVerificationResponse })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No event of that billing period (invoice-not-found)' })
  verifyInvoice(@Param('invoiceId', InvoiceIdPipe) invoiceId: string): Promise<AuditInvoiceVerificationResponse> {
    return this.queries.execute(new VerifyInvoice(invoiceId));
  }

  @Get('events')
  @ApiOperation({
    summary: 'The global feed of every stream, in order; with Accept: application/x-ndjson, streamed one event per line',
    description:
      `JSON: a page of limit events (default ${FEED_DEFAULT_LIMIT}, at most ${FEED_MAX_LIMIT}) after the position in after, and next, the after= of the following page. ` +
      'NDJSON: every event after after to the end of the log (or limit events), one JSON object per line, read and written page by page. ' +
      'after omitted or 0 starts at the beginning; a position that is not one of the feed’s is refused (invalid-position).',
  })
  @ApiProduces('application/json', NDJSON)
  @ApiHeader({ name: 'Accept', required: false, description: `${NDJSON} streams the feed` })
  @ApiOkResponse({ type: AuditFeedResponse, description: `application/json: this document; ${NDJSON}: one event per line, in this document's events shape` })
  async feed(
    @Query() query: AuditFeedQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditFeedResponse | Readable> {
    const [after, limit] = [query.after ?? null, query.limit ?? null];
    void reply.header('Vary', 'Accept');
    if (wantsNdjson(accept)) {
      const pages = await this.queries.execute(new StreamAuditFeed(after, limit));
      void reply.header('Content-Type', `${NDJSON}; charset=utf-8`).header('Cache-Control', 'no-store');
      return ndjsonStream(pages, auditFeedEvent);
    }
    const page = await this.queries.execute(new ReadAuditFeed(after, limit));
    return { events: page.events.map(auditFeedEvent), next: page.next };
  }
}
