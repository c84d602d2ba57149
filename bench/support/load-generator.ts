/**
 * The child's side of a load generator (see load-process.ts): answers the parent's requests over
 * IPC, and runs autocannon keeping what every benchmark reports of a run.
 */
import autocannon from 'autocannon';

/** What every load generator reports of one run; each adds its own counts. */
export interface LoadRun {
  requests: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
  /** Every response's latency, for percentiles over several runs. */
  latenciesMs: number[];
  firstFailure: string | null;
}

/** Runs `run` for each request the parent sends, one result (or error) back per request. */
export function serveLoadRuns<Request, Result>(run: (request: Request) => Promise<Result>): void {
  process.on('message', (message: { id: number; request: Request }) => {
    run(message.request).then(
      (result) => process.send!({ id: message.id, result }),
      (error: unknown) => process.send!({ id: message.id, error: String(error) }),
    );
  });
}

/**
 * One autocannon run. The first response `succeeded` refuses is kept, status and the start of its
 * body, for the error message; `result` is autocannon's own, for any other count.
 */
export function runAutocannon(
  options: autocannon.Options,
  succeeded: (status: number) => boolean,
): Promise<{ run: LoadRun; result: autocannon.Result }> {
  const latenciesMs: number[] = [];
  let firstFailure: string | null = null;
  const requests = options.requests?.map((request): autocannon.Request => {
    const { onResponse } = request;
    if (typeof onResponse === 'string') throw new Error('onResponse must be a function: the load generator runs without workers');
    return {
      ...request,
      onResponse: (status, body, context, headers) => {
        onResponse?.(status, body, context, headers);
        if (!succeeded(status) && firstFailure === null) firstFailure = `${status} ${body.slice(0, 500)}`;
      },
    };
  });
  return new Promise((resolve, reject) => {
    const instance = autocannon({ ...options, requests }, (error, result) => {
      if (error) return reject(error);
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count ?? 0]));
      resolve({
        run: {
          requests: result.requests.total,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          durationSeconds: result.duration,
          latenciesMs,
          firstFailure,
        },
        result,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latenciesMs.push(responseTime));
  });
}
