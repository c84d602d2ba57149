import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Clock } from '@mfh/application';
import type { EventMetadata, EventSource } from '@mfh/event-store';
import type { Role } from '@mfh/config';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface AuthenticatedClient {
  clientId: string;
  role: Role;
  /** The partner or publisher the client acts for; null for auditors and admins. */
  tenantId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
    /** The command clock: when the request arrived. */
    receivedAt: Date;
    client?: AuthenticatedClient;
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's id if it is safe to log and store, else a fresh one. */
export function acceptId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_ID.test(value) ? value : randomUUID();
}

type Headers = Record<string, string | string[] | undefined>;

/** The fulfillment API's names for the two ids come first; the partner API's x-request-id and x-correlation-id work everywhere. */
const REQUEST_ID_HEADERS = ['x-ms-requestid', 'x-request-id'];
const CORRELATION_ID_HEADERS = ['x-ms-correlationid', 'x-correlation-id'];
const FULFILLMENT_API = /^\/api\/saas(?:[/?]|$)/;

const firstPresent = (headers: Headers, names: string[]): string | string[] | undefined =>
  headers[names.find((name) => headers[name] !== undefined) ?? names[0]];

export const genReqId = (request: { headers: Headers }): string => acceptId(firstPresent(request.headers, REQUEST_ID_HEADERS));

/**
 * Every response echoes the request and correlation ids, generated when the caller sent none; the
 * fulfillment API (SaaS Fulfillment API v2) also under Microsoft's names, x-ms-requestid and x-ms-correlationid.
 */
export function installRequestContext(fastify: FastifyInstance, clock: Clock): void {
  fastify.decorateRequest('correlationId', '');
  fastify.decorateRequest('receivedAt', null as unknown as Date);
  fastify.addHook('onRequest', async (request, reply) => {
    request.receivedAt = clock.now();
    request.correlationId = acceptId(firstPresent(request.headers, CORRELATION_ID_HEADERS));
    void reply.header('x-request-id', request.id).header('x-correlation-id', request.correlationId);
    if (FULFILLMENT_API.test(request.url)) {
      void reply.header('x-ms-requestid', request.id).header('x-ms-correlationid', request.correlationId);
    }
  });
}

const SOURCE_BY_ROLE: Record<Role, EventSource> = {
  partner: 'Partner',
  publisher: 'Publisher',
  auditor: 'System',
  admin: 'System',
};

export function metadataOf(request: FastifyRequest, occurredAt = request.receivedAt ?? new Date()): EventMetadata {
  const client = request.client;
  return {
    actor: client?.clientId ?? 'anonymous',
    role: client?.role ?? 'anonymous',
    source: client ? SOURCE_BY_ROLE[client.role] : 'System',
    correlationId: request.correlationId,
    causationId: request.id,
    requestId: request.id,
    occurredAt: occurredAt.toISOString(),
  };
}

/** The event metadata of a command caused by this request (SPEC §9); its `occurredAt` is the command's clock. */
export const RequestMetadata = createParamDecorator(
  (_: unknown, context: ExecutionContext): EventMetadata => metadataOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedClient => {
  const client = context.switchToHttp().getRequest<FastifyRequest>().client;
  if (!client) throw new Error('CurrentClient used on a public route');
  return client;
});
