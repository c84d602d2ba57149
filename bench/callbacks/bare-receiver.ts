/**
 * The baseline: a bare Fastify instance with one route that queues the job the real receiver
 * would queue, the same way, and answers 202. No Nest, no signature check, no validation: what is
 * left is HTTP, JSON and the BullMQ add, which the receiver cannot do without.
 */
import { CallbackJob, DEFAULT_JOB_OPTIONS, JOBS, PublisherCallback, QUEUES } from '@mfh/messaging';
import type { AppConfig } from '@mfh/config';
import { Queue } from 'bullmq';
import Fastify, { FastifyInstance } from 'fastify';
import { producerConnection } from '../../apps/api/src/callbacks/api-queues.module';
import { callbackJobOptions } from '../../apps/api/src/callbacks/callback-inbox.service';
import { urlOf } from '../support/servers';

export interface BareReceiver {
  baseUrl: string;
  server: FastifyInstance;
  /** The route's queue, for counting what it added. */
  queue: Queue<CallbackJob>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawText?: string;
  }
}

const header = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(' ') : (value ?? ''));

/** Listens on a free port; its queue is the api's callbacks queue under `prefix`, on the api's connection options. */
export async function startBareReceiver(config: AppConfig, prefix: string): Promise<BareReceiver> {
  const queue = new Queue<CallbackJob>(QUEUES.callbacks, { connection: producerConnection(config), prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  await queue.waitUntilReady();
  const server = Fastify({ bodyLimit: config.BODY_LIMIT_BYTES });
  // The job id covers the body as sent, so the route keeps the text as the receiver does.
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawText = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  server.post<{ Params: { publisherId: string }; Body: PublisherCallback }>('/webhooks/publishers/:publisherId', async (request, reply) => {
    const { publisherId } = request.params;
    const webhookId = header(request.headers['webhook-id']);
    // The same members, so the same job size: what the receiver would have built once it had checked everything.
    const job: CallbackJob = {
      publisherId,
      webhookId,
      signedAt: new Date(Number(header(request.headers['webhook-timestamp'])) * 1000).toISOString(),
      receivedAt: new Date().toISOString(),
      correlationId: webhookId,
      callback: request.body,
    };
    await queue.add(JOBS.applyCallback, job, callbackJobOptions(publisherId, webhookId, request.rawText ?? ''));
    return reply.code(202).send({ webhookId, status: 'queued' });
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl: urlOf(server.server, 'the bare receiver'),
    server,
    queue,
    async close() {
      await server.close();
      await queue.close();
    },
  };
}
