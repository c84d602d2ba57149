/**
 * The load generator, in its own process so that it does not share the API's event loop. The
 * parent sends one LoadRequest per run over IPC and gets one LoadResult back.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  baseUrl: string;
  token: string;
  /** `/v1/customers/{c}/subscriptions/{s}` */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
  /** Every response's latency, for percentiles over several runs. */
  latenciesMs: number[];
  firstFailure: string | null;
}

interface PathContext {
  path?: string;
}

let renames = 0;

function run(request: LoadRequest): Promise<LoadResult> {
  // A free list: a connection takes a subscription when it builds a request and gives it back with
  // the response, so with at least as many subscriptions as connections no two requests overlap.
  const idle = [...request.paths];
  const latenciesMs: number[] = [];
  let firstFailure: string | null = null;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.baseUrl,
        connections: request.connections,
        duration: request.durationSeconds,
        headers: { authorization: `Bearer ${request.token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'PATCH',
            setupRequest: (req, context) => {
              const path = idle.shift() ?? request.paths[renames % request.paths.length];
              (context as PathContext).path = path;
              // A name never sent before, so that every request really appends SubscriptionRenamed.
              return { ...req, path, body: JSON.stringify({ friendlyName: `bench ${++renames}` }) };
            },
            onResponse: (status, body, context) => {
              const { path } = context as PathContext;
              if (path) idle.push(path);
              if ((status < 200 || status >= 300) && firstFailure === null) firstFailure = `${status} ${body.slice(0, 500)}`;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count ?? 0]));
        resolve({
          requests: result.requests.total,
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          durationSeconds: result.duration,
          latenciesMs,
          firstFailure,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latenciesMs.push(responseTime));
  });
}

process.on('message', (message: { id: number; request: LoadRequest }) => {
  run(message.request).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
