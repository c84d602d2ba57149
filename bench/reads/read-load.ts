/**
 * The load generator, in its own process so that it shares neither server's event loop. The parent
 * sends one LoadRequest per run over IPC and gets one LoadResult back.
 */
import { LoadRun, runAutocannon, serveLoadRuns } from '../support/load-generator';

export interface ReadCall {
  method: 'GET' | 'POST';
  path: string;
  /** Sent with this call only: the resolve's x-ms-marketplace-token. */
  headers?: Record<string, string>;
}

export interface LoadRequest {
  baseUrl: string;
  token: string;
  /** Taken in turn, one per request. */
  calls: ReadCall[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult extends LoadRun {
  ok: number;
  /** Response bytes, bodies and headers: the same on both sides when they answer the same JSON. */
  bytes: number;
  cpu: NodeJS.CpuUsage;
}

let next = 0;

async function run(request: LoadRequest): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const { run: measured, result } = await runAutocannon(
    {
      url: request.baseUrl,
      connections: request.connections,
      duration: request.durationSeconds,
      headers: { authorization: `Bearer ${request.token}` },
      requests: [
        {
          setupRequest: (req) => {
            const call = request.calls[next++ % request.calls.length];
            return { ...req, method: call.method, path: call.path, headers: { ...req.headers, ...call.headers } };
          },
        },
      ],
    },
    (status) => status === 200,
  );
  return { ...measured, ok: result['2xx'], bytes: result.throughput.total, cpu: process.cpuUsage(cpuBefore) };
}

serveLoadRuns(run);
