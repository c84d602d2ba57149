import type { FastifyInstance } from 'fastify';
import { ProblemException } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received, for signature checks. */
    rawBody?: string;
  }
}

/**
 * JSON everywhere, and forms (for the OAuth token endpoint). Parse failures are problems with
 * their own types; Nest would otherwise flatten Fastify's errors to a bare status and message.
 */
export function installBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text.trim() === '') {
      done(new ProblemException(400, 'empty-body', 'The body is empty but Content-Type says application/json.'), undefined);
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error) done(new ProblemException(400, 'malformed-json', `The body is not valid JSON: ${error.message}`), undefined);
      else done(null, parsed);
    });
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    request.rawBody = body as string;
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
