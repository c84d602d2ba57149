import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { isDomainError, DomainErrorKind } from '@mfh/domain';
import { ConcurrencyRetriesExhaustedError, isStoreUnavailable, WrongExpectedVersionError } from '@mfh/event-store';
import { InvalidContinuationTokenError } from '@mfh/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemDocument, ProblemException, problemType, titleFor } from './problem';
import { ValidationProblemException } from './validation';

/** Body errors Fastify raises before any route runs; Nest hands them over as bare HttpExceptions. */
const BODY_PROBLEMS: Record<number, { code: string; detail: string }> = {
  413: { code: 'body-too-large', detail: 'The request body is larger than this API accepts.' },
  415: { code: 'unsupported-media-type', detail: 'Send the body as application/json.' },
};

/** Where the partner API names a command field differently. */
const REQUEST_FIELDS: Record<string, string> = { indirectResellerId: 'partnerId' };

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  'not-found': 404,
  rule: 409,
  conflict: 409,
  precondition: 412,
  unprocessable: 422,
};

/** How long a client should wait before resending a request the store could not serve. */
const STORE_RETRY_AFTER_SECONDS = 5;
const STORE_UNAVAILABLE = problemType('store-unavailable');

/** Turns anything thrown into RFC 9457 problem details; only what nobody anticipated is a 500. */
export function toProblem(error: unknown): ProblemDocument {
  if (isDomainError(error)) {
    const status = STATUS_BY_KIND[error.kind];
    const problem: ProblemDocument = { type: problemType(error.code), title: titleFor(status), status, detail: error.message, ...error.extensions };
    if (error.field) {
      const pointer = typeof error.extensions.pointer === 'string' ? error.extensions.pointer : `/${REQUEST_FIELDS[error.field] ?? error.field}`;
      problem.errors = [{ pointer, detail: error.message }];
    }
    return problem;
  }
  if (error instanceof ValidationProblemException) {
    return {
      type: problemType('invalid-request'),
      title: titleFor(400),
      status: 400,
      detail: error.message,
      errors: error.errors,
    };
  }
  if (error instanceof ProblemException) {
    const status = error.getStatus();
    return { type: problemType(error.code), title: titleFor(status), status, detail: error.message, ...error.extensions };
  }
  if (error instanceof WrongExpectedVersionError) {
    return {
      type: problemType('stale-etag'),
      title: titleFor(412),
      status: 412,
      detail: 'The resource changed since the ETag in If-Match was read; read it again and retry.',
    };
  }
  if (error instanceof ConcurrencyRetriesExhaustedError) {
    return {
      type: problemType('concurrent-modification'),
      title: titleFor(409),
      status: 409,
      detail: 'The resource kept changing while this request was applied; retry it.',
    };
  }
  if (error instanceof InvalidContinuationTokenError) {
    return { type: problemType('invalid-continuation-token'), title: titleFor(400), status: 400, detail: error.message };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = BODY_PROBLEMS[status];
    if (body) return { type: problemType(body.code), title: titleFor(status), status, detail: body.detail };
    const response = error.getResponse();
    const detail =
      typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return { type: 'about:blank', title: titleFor(status), status, detail };
  }
  const fastify = FASTIFY_PROBLEMS[(error as { code?: string })?.code ?? ''];
  if (fastify) return { type: problemType(fastify.code), title: titleFor(fastify.status), status: fastify.status, detail: fastify.detail };
  if (isStoreUnavailable(error)) {
    return {
      type: STORE_UNAVAILABLE,
      title: titleFor(503),
      status: 503,
      detail:
        'The event store or the database could not be reached. A write answered this way may still have been stored: ' +
        'send the same request again after Retry-After seconds (orders with the same Idempotency-Key).',
    };
  }
  return { type: 'about:blank', title: titleFor(500), status: 500, detail: 'An unexpected error occurred.' };
}

/** Errors Fastify's router raises before Nest sees the request (through `frameworkErrors`). */
const FASTIFY_PROBLEMS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_BAD_URL: { status: 400, code: 'malformed-url', detail: 'The path is not a valid URL (check its percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri-too-long', detail: 'A path parameter is longer than any id this API uses.' },
};

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown, logger: Logger): void {
  const problem = toProblem(error);
  if (problem.type === STORE_UNAVAILABLE) {
    logger.warn(`${request.method} ${request.url}: store unavailable: ${error instanceof Error ? error.message : String(error)}`);
    void reply.header('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
  } else if (problem.status >= 500) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  if (problem.status === 401) {
    void reply.header('WWW-Authenticate', problem.type === problemType('invalid-token') ? 'Bearer error="invalid_token"' : 'Bearer');
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send({ ...problem, instance: request.url });
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getResponse<FastifyReply>(), http.getRequest<FastifyRequest>(), error, this.logger);
  }
}
