/**
 * The publisher's notification URL during bench:timers: answers every POST at once with 200, in a
 * process of its own (see bench/support/load-process.ts) so that it shares no event loop with the
 * worker that delivers the renewals' notifications. It counts what it received.
 */
import { createServer, Server } from 'node:http';
import { serveLoadRuns } from '../support/load-generator';

export type SinkRequest = { op: 'start' } | { op: 'count' };
export type SinkResult = { url: string } | { received: number };

let server: Server | null = null;
let received = 0;

serveLoadRuns<SinkRequest, SinkResult>(async (request) => {
  if (request.op === 'count') return { received };
  server ??= createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      received++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the notification sink is not listening on a TCP port');
  return { url: `http://127.0.0.1:${address.port}/notifications` };
});
