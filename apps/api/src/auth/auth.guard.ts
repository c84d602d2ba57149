import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES, Role } from '@mfh/config';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../http/problem';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './auth.decorators';
import { API_AUDIENCE } from '@mfh/auth';
import { SigningKeys } from '@mfh/auth';

/** RFC 6750: the scheme is case-insensitive; what follows it is checked as a JWT. */
const BEARER = /^bearer\s+(\S+)\s*$/i;

/** Every route needs a valid bearer token unless marked @Public; @Roles narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's decorators, read once: they never change once the app is built. */
  private readonly routes = new WeakMap<object, { isPublic: boolean; allowed: Role[] | undefined }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: SigningKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { isPublic, allowed } = this.route(context);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new ProblemException(401, 'missing-token', 'Send Authorization: Bearer <access token> from POST /oauth2/token.');
    if (match[1].length > 8192) throw new ProblemException(401, 'invalid-token', 'The access token is invalid or expired; request a new one.');
    const payload = await this.keys.verify(match[1], API_AUDIENCE).catch(() => null);
    const role = payload?.role as Role | undefined;
    if (!payload?.sub || !role || !ROLES.includes(role)) {
      throw new ProblemException(401, 'invalid-token', 'The access token is invalid or expired; request a new one.');
    }
    request.client = { clientId: payload.sub, role, tenantId: typeof payload.tid === 'string' ? payload.tid : null };

    if (allowed && !allowed.includes(role)) {
      throw new ProblemException(403, 'role-not-allowed', `This endpoint is for the ${allowed.join(' or ')} role; the token is for ${role}.`);
    }
    return true;
  }

  private route(context: ExecutionContext): { isPublic: boolean; allowed: Role[] | undefined } {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      const targets = [handler, context.getClass()];
      route = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
        allowed: this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets),
      };
      this.routes.set(handler, route);
    }
    return route;
  }
}
