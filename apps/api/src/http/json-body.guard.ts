import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from './problem';

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;
const ACCEPTS_FORMS = 'mfh:accepts-forms';

/** The route also takes application/x-www-form-urlencoded bodies (the OAuth token endpoint). */
export const AcceptsForms = () => SetMetadata(ACCEPTS_FORMS, true);

/**
 * Request bodies are JSON. Forms are parsed too (for the token endpoint), and a form would otherwise
 * pass validation as if it were a JSON object. A guard rather than an interceptor: with no
 * interceptor at all, Nest skips its RxJS pipeline, which was a large share of a callback's cost.
 */
@Injectable()
export class JsonBodyOnly implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const type = request.headers['content-type'];
    if (request.body === undefined || type === undefined || JSON_MEDIA_TYPE.test(type)) return true;
    const formsAllowed = this.reflector.getAllAndOverride<boolean>(ACCEPTS_FORMS, [context.getHandler(), context.getClass()]);
    if (!formsAllowed) {
      throw new ProblemException(415, 'unsupported-media-type', 'Send the body as application/json.');
    }
    return true;
  }
}
