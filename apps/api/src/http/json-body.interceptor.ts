import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ProblemException } from './problem';

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/**
 * Request bodies are JSON. The Fastify adapter parses forms and plain text on every route (the token
 * endpoint takes forms), and a form would otherwise pass validation as if it were a JSON object.
 */
@Injectable()
export class JsonBodyOnly implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const type = request.headers['content-type'];
    if (request.body !== undefined && type !== undefined && !JSON_MEDIA_TYPE.test(type)) {
      throw new ProblemException(415, 'unsupported-media-type', 'Send the body as application/json.');
    }
    return next.handle();
  }
}
