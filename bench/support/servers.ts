/** The bench side of the HTTP servers under load: where they listen, and when they are idle again. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { sleep } from './run';

export interface InFlight {
  drained(timeoutMs?: number): Promise<void>;
}

/** The base URL of a server listening on a TCP port of 127.0.0.1. */
export function urlOf(server: Server, what = 'the API'): string {
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error(`${what} is not listening on a TCP port`);
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Counts a server's open requests, to wait for those a stopped load generator left behind:
 * autocannon stops on time, but the requests it cut off still finish on the server.
 */
export function trackInFlight(server: Server): InFlight {
  let open = 0;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    open++;
    response.once('close', () => open--);
  });
  return {
    async drained(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (open > 0) {
        if (Date.now() > deadline) throw new Error(`${open} requests still open after ${timeoutMs} ms`);
        await sleep(5);
      }
    },
  };
}
