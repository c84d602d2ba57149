/**
 * A server under load, in its own process so that the two sides of a comparison each have an event
 * loop to themselves, as in production: the real api (`createApiApp`, logging as configured) or the
 * bare Fastify route that answers the same JSON from memory. The bench drives it over IPC.
 */
import 'reflect-metadata';
import Fastify, { FastifyInstance } from 'fastify';
import { loadConfig } from '@mfh/config';
import { createApiApp } from '../../apps/api/src/api.app';
import { openProfiler, Profiler } from '../support/profiler';
import { openQueryCensus, QueryCensus } from '../support/query-census';

/** What the bare route answers: for each call, the body the api gave for each key. */
export interface BareBodies {
  partner: Record<string, { body: unknown; etag: string }>;
  publisher: Record<string, unknown>;
  /** By the x-ms-marketplace-token header. */
  resolve: Record<string, unknown>;
  /** By customer id: the first page. */
  list: Record<string, unknown>;
}

export type ServerRequest =
  | { kind: 'profile-start' }
  | { kind: 'profile-stop'; label: string }
  | { kind: 'cpu' }
  | { kind: 'census-open' }
  | { kind: 'census-close' }
  | { kind: 'bodies'; bodies: BareBodies };

/** The bare route: Fastify's router and its JSON serialisation, nothing else. */
function bareServer(bodies: () => BareBodies): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get<{ Params: { c: string; s: string } }>('/v1/customers/:c/subscriptions/:s', async (request, reply) => {
    const found = bodies().partner[request.params.s];
    if (!found) return reply.status(404).send({ status: 404 });
    void reply.header('etag', found.etag);
    return found.body;
  });
  app.get<{ Params: { c: string } }>('/v1/customers/:c/subscriptions', async (request, reply) => {
    return bodies().list[request.params.c] ?? reply.status(404).send({ status: 404 });
  });
  app.get<{ Params: { s: string } }>('/api/saas/subscriptions/:s', async (request, reply) => {
    return bodies().publisher[request.params.s] ?? reply.status(404).send({ status: 404 });
  });
  app.post('/api/saas/subscriptions/resolve', async (request, reply) => {
    return bodies().resolve[String(request.headers['x-ms-marketplace-token'])] ?? reply.status(404).send({ status: 404 });
  });
  return app;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  let profiler: Profiler | null = null;
  let census: QueryCensus | null = null;
  let bodies: BareBodies = { partner: {}, publisher: {}, resolve: {}, list: {} };
  let port: number;
  if (mode === 'api') {
    const app = await createApiApp(loadConfig());
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.getHttpServer().address() as { port: number }).port;
  } else if (mode === 'bare') {
    const app = bareServer(() => bodies);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.on('message', (message: { id: number; request: ServerRequest }) => {
    const answer = async (): Promise<unknown> => {
      const { request } = message;
      switch (request.kind) {
        case 'profile-start':
          profiler ??= await openProfiler(`reads-${mode}`);
          return profiler.start();
        case 'profile-stop':
          return profiler!.stop(request.label);
        case 'cpu':
          return process.cpuUsage();
        case 'census-open':
          census = openQueryCensus();
          return null;
        case 'census-close':
          return census?.close() ?? [];
        case 'bodies':
          bodies = request.bodies;
          return null;
      }
    };
    answer().then(
      (result) => process.send!({ id: message.id, result }),
      (error: unknown) => process.send!({ id: message.id, error: String(error) }),
    );
  });
  process.send!({ id: 0, result: { port } });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
