import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received, for signature checks. */
    rawBody?: string;
    /** On a route marked {@link SignedBody}: why the body could not be parsed, for the handler to throw once it has checked the signature. */
    bodyProblem?: ProblemException;
  }
}

const SIGNED_BODY = 'mfhSignedBody';

/**
 * The body is signed: a parse failure must not answer before the signature is checked (a 400 would
 * tell an unsigned caller something). The parser keeps the raw body and the problem on the request
 * instead; the handler verifies the signature, then throws `request.bodyProblem`.
 */
export const SignedBody = () => RouteConfig({ [SIGNED_BODY]: true });

const defersProblems = (request: FastifyRequest): boolean =>
  (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[SIGNED_BODY] === true;

/**
 * JSON everywhere, and forms (for the OAuth token endpoint). Parse failures are problems with
 * their own types; Nest would otherwise flatten Fastify's errors to a bare status and message.
 */
export function installBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    const fail = (problem: ProblemException): void => {
      if (!defersProblems(request)) return done(problem, undefined);
      request.bodyProblem = problem;
      done(null, undefined);
    };
    if (text.trim() === '') {
      fail(new ProblemException(400, 'empty-body', 'The body is empty but Content-Type says application/json.'));
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error) fail(new ProblemException(400, 'malformed-json', `The body is not valid JSON: ${error.message}`));
      else done(null, parsed);
    });
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    request.rawBody = body as string;
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Any other media type (Fastify's own text/plain too) is refused, and on a signed route only once the signature is checked.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const problem = new ProblemException(415, 'unsupported-media-type', 'Send the body as application/json.');
    if (!defersProblems(request)) return done(problem, undefined);
    request.rawBody = body as string;
    request.bodyProblem = problem;
    done(null, undefined);
  });
}
