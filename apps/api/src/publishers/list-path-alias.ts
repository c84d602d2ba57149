import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { SAAS_SUBSCRIPTIONS_PATH } from './saas-links.service';

/**
 * Microsoft's spec lists subscriptions at `/saas/subscriptions/`, with the trailing slash, and its
 * clients call exactly that; Nest strips trailing slashes from route paths. The same route is
 * therefore also registered with the slash. Runs at construction, before Nest registers its routes.
 */
@Injectable()
export class ListPathAlias {
  constructor(host: HttpAdapterHost) {
    const fastify = host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRoute', (route: RouteOptions) => {
      if (route.url !== SAAS_SUBSCRIPTIONS_PATH || route.method !== 'GET') return;
      fastify.route({ ...route, url: `${SAAS_SUBSCRIPTIONS_PATH}/`, path: undefined, prefix: undefined } as RouteOptions);
    });
  }
}
