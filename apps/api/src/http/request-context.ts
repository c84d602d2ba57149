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

export const genReqId = (request: { headers: Record<string, string | string[] | undefined> }): string =>
  acceptId(request.headers['x-request-id']);

/** Every response echoes the request and correlation ids, generated when the caller sent none. */
export function installRequestContext(fastify: FastifyInstance, clock: Clock): void {
  fastify.decorateRequest('correlationId', '');
  fastify.decorateRequest('receivedAt', null as unknown as Date);
  fastify.addHook('onRequest', async (request, reply) => {
    request.receivedAt = clock.now();
    request.correlationId = acceptId(request.headers['x-correlation-id']);
    void reply.header('x-request-id', request.id).header('x-correlation-id', request.correlationId);
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
