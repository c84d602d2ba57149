/**
 * The load generator, in its own process so that it does not share the API's event loop. The
 * parent sends one LoadRequest per run over IPC and gets one LoadResult back.
 */
import { LoadRun, runAutocannon, serveLoadRuns } from '../support/load-generator';

export interface LoadRequest {
  baseUrl: string;
  token: string;
  /** `/v1/customers/{c}/subscriptions/{s}` */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult extends LoadRun {
  ok: number;
  non2xx: number;
}

interface PathContext {
  path?: string;
}

let renames = 0;

async function run(request: LoadRequest): Promise<LoadResult> {
  // A free list: a connection takes a subscription when it builds a request and gives it back with
  // the response, so with at least as many subscriptions as connections no two requests overlap.
  const idle = [...request.paths];
  const { run: measured, result } = await runAutocannon(
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
          onResponse: (_status, _body, context) => {
            const { path } = context as PathContext;
            if (path) idle.push(path);
          },
        },
      ],
    },
    (status) => status >= 200 && status < 300,
  );
  return { ...measured, ok: result['2xx'], non2xx: result.non2xx };
}

serveLoadRuns(run);
