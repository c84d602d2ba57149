import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { isDomainError, DomainErrorKind } from '@mfh/domain';
import { ConcurrencyRetriesExhaustedError, WrongExpectedVersionError } from '@mfh/event-store';
import { InvalidContinuationTokenError } from '@mfh/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemDocument, ProblemException, problemType, titleFor } from './problem';
import { ValidationProblemException } from './validation';

/** Body errors Fastify raises before any route runs; Nest hands them over as bare HttpExceptions. */
const BODY_PROBLEMS: Record<number, { code: string; detail: string }> = {
  413: { code: 'body-too-large', detail: 'The request body is larger than this API accepts.' },
  415: { code: 'unsupported-media-type', detail: 'Send the body as application/json.' },
};

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: 400,
  forbidden: 403,
  'not-found': 404,
  rule: 409,
  conflict: 409,
  precondition: 412,
  unprocessable: 422,
};

/** Turns anything thrown into RFC 9457 problem details; only what nobody anticipated is a 500. */
export function toProblem(error: unknown): ProblemDocument {
  if (isDomainError(error)) {
    const status = STATUS_BY_KIND[error.kind];
    return { type: problemType(error.code), title: titleFor(status), status, detail: error.message, ...error.extensions };
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
  const fastifyStatus = (error as { statusCode?: unknown })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return { type: 'about:blank', title: titleFor(fastifyStatus), status: fastifyStatus, detail: fastifyDetail(error as Error) };
  }
  return { type: 'about:blank', title: titleFor(500), status: 500, detail: 'An unexpected error occurred.' };
}

function fastifyDetail(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than this endpoint accepts.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Send the body as application/json.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The body is empty but Content-Type says JSON.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    default:
      return error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? `The body is not valid JSON: ${error.message}`
        : error.message;
  }
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown, logger: Logger): void {
  const problem = toProblem(error);
  if (problem.status >= 500) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
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
