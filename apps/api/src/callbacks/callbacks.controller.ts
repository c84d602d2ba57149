import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  SchemaObject,
} from '@nestjs/swagger';
import { BLOCKABLE_OPERATIONS } from '@mfh/domain';
import { Catalog } from '@mfh/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { SignedBody } from '../http/body-parsers';
import { ProblemException } from '../http/problem';
import { acceptId } from '../http/request-context';
import { ProblemDto } from '../partners/dto/common.dto';
import { CALLBACK_TYPES, parseCallback } from './callback-body';
import { CallbackInbox } from './callback-inbox.service';
import { verifySignature } from './callback-signature';

/** How long a publisher should wait before sending a callback the queue could not take again. */
const RETRY_AFTER_SECONDS = 5;

export class CallbackAcceptedResponse {
  @ApiProperty({ description: 'The webhook-id of the accepted callback', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }) webhookId!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}

const CALLBACK_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'subscriptionId', 'data'],
  properties: {
    type: { type: 'string', enum: [...CALLBACK_TYPES] },
    subscriptionId: { type: 'string', format: 'uuid' },
    data: {
      oneOf: [
        { title: 'LicensesAssigned', type: 'object', required: ['assignedSeats'], properties: { assignedSeats: { type: 'integer', minimum: 1 } } },
        {
          title: 'ActionRequired',
          type: 'object',
          required: ['reason', 'url', 'blockedOperations'],
          properties: {
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            url: { type: 'string', format: 'uri', description: 'http or https' },
            blockedOperations: { type: 'array', items: { type: 'string', enum: [...BLOCKABLE_OPERATIONS] } },
          },
        },
        { title: 'ActionResolved', type: 'object', additionalProperties: false },
      ],
    },
  },
  example: { type: 'LicensesAssigned', subscriptionId: '8f1d6c52-2b7a-4a3e-9d51-0c6e0b1f2a11', data: { assignedSeats: 5 } },
};

@ApiTags('publisher callbacks')
@Controller('webhooks/publishers')
export class CallbacksController {
  constructor(
    private readonly catalog: Catalog,
    private readonly inbox: CallbackInbox,
  ) {}

  @Public()
  @SignedBody()
  @Post(':publisherId')
  @HttpCode(202)
  @ApiOperation({
    summary: "A publisher's signed callback: LicensesAssigned, ActionRequired or ActionResolved (Standard Webhooks signature)",
    description:
      'Answered 202 once the callback is durably queued; the worker applies it. A repeated webhook-id with the same body has no second effect; ' +
      'with another body it is 409 webhook-id-reused. ' +
      'Signature problems are 401 and are checked before the body, which is then validated (400).',
  })
  @ApiHeader({ name: 'webhook-id', required: true, description: 'Unique per callback; the same on each retry of it' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds; at most 5 minutes off' })
  @ApiHeader({ name: 'webhook-signature', required: true, description: 'v1,<base64 HMAC-SHA256 of "id.timestamp.body">; several may be given, space-separated' })
  @ApiHeader({ name: 'x-correlation-id', required: false, description: 'Stored on the events the callback causes; defaults to the webhook-id' })
  @ApiBody({ schema: CALLBACK_BODY_SCHEMA })
  @ApiAcceptedResponse({ type: CallbackAcceptedResponse })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUnauthorizedResponse({ type: ProblemDto, description: 'Missing or wrong signature, or a timestamp more than 5 minutes off' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such publisher' })
  @ApiConflictResponse({ type: ProblemDto, description: 'webhook-id-reused: the webhook-id came before with another body' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Could not be queued; send it again after Retry-After seconds' })
  async receive(
    @Param('publisherId') publisherId: string,
    @Headers('x-correlation-id') correlationHeader: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CallbackAcceptedResponse> {
    const publisher = this.catalog.publisher(publisherId);
    if (!publisher) throw new ProblemException(404, 'publisher-not-found', `There is no publisher ${publisherId}.`);
    const rawBody = request.rawBody ?? '';
    const signed = verifySignature(publisher.callbackSigningSecret, rawBody, request.headers);
    if (request.bodyProblem) throw request.bodyProblem;
    const callback = parseCallback(request.body);
    // acceptId keeps a well-formed id as it is; anything else gives way to the callback's own id.
    const correlationId = correlationHeader !== undefined && acceptId(correlationHeader) === correlationHeader ? correlationHeader : signed.id;
    void reply.header('x-correlation-id', correlationId);
    const outcome = await this.inbox.enqueue(
      { publisherId, webhookId: signed.id, signedAt: signed.signedAt.toISOString(), receivedAt: request.receivedAt.toISOString(), correlationId, callback },
      rawBody,
    );
    if (outcome === 'reused') {
      throw new ProblemException(
        409,
        'webhook-id-reused',
        `webhook-id ${signed.id} came before with another body; a retry must send the same body, and each new callback needs a new webhook-id.`,
      );
    }
    if (outcome === 'unavailable') {
      void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
      throw new ProblemException(
        503,
        'callback-not-queued',
        'The callback could not be queued just now and nothing was recorded; send it again (same webhook-id) after Retry-After seconds.',
      );
    }
    return { webhookId: signed.id, status: 'queued' };
  }
}
