import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../http/problem';
import { API_VERSION } from './dto/saas-requests.dto';

/**
 * Microsoft's rule: every fulfillment API call carries `api-version=2018-08-31`. Checked before the
 * body and parameters, so a call with the wrong version is refused the same way whatever else it sends.
 */
@Injectable()
export class ApiVersionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const query = (context.switchToHttp().getRequest<FastifyRequest>().query ?? {}) as Record<string, unknown>;
    const version = query['api-version'];
    if (version === undefined) {
      throw problem('api-version-required', `The query parameter api-version is required; use api-version=${API_VERSION}.`);
    }
    if (Array.isArray(version)) {
      throw problem('api-version-repeated', `Send api-version once (api-version=${API_VERSION}).`);
    }
    if (version !== API_VERSION) {
      throw problem('unsupported-api-version', `api-version ${JSON.stringify(version).slice(0, 80)} is not supported; use api-version=${API_VERSION}.`);
    }
    return true;
  }
}

const problem = (code: string, detail: string) => new ProblemException(400, code, detail, { errors: [{ pointer: 'api-version', detail }] });
