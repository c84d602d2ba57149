import { EventStore, NewEvent } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { connect, Socket } from 'node:net';
import { CLIENTS, startSystem, TestSystem } from './support/system';

/**
 * The api does not hold a connection for a client that sends nothing, or sends it a byte at a
 * time: Fastify's and Node's timeouts close it. The assertions say "closed" and give a generous
 * bound only so that a test cannot hang; the timings themselves are not asserted.
 */

const TIMEOUTS = { HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000', HTTP_CONNECTION_TIMEOUT_MS: '3000' };
/** Far beyond every timeout above (and Node's 30 s default checking interval is not in play either). */
const BOUND_MS = 15_000;

interface Outcome {
  closed: boolean;
  received: string;
}

/** Resolves when the server closes the socket, or, failing that, after `boundMs` (then it closes it itself). */
function whenClosed(socket: Socket, boundMs = BOUND_MS): Promise<Outcome> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received });
    }, boundMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received });
    });
  });
}

/** Writes `text` one byte every `everyMs` until it is all sent or the socket closes; resolves with how many bytes went out. */
function trickle(socket: Socket, text: string, everyMs = 100): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent === text.length) {
        clearInterval(timer);
        resolve(sent);
        return;
      }
      socket.write(text[sent]);
      sent += 1;
    }, everyMs);
  });
}

describe('HTTP timeouts: connections that send nothing are not held', () => {
  let system: TestSystem;
  let port: number;

  beforeAll(async () => {
    system = await startSystem({ worker: false, env: TIMEOUTS });
    port = Number(new URL(system.baseUrl).port);
  });

  afterAll(() => system.close());

  async function open(): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return socket;
  }

  it('closes a connection that sends nothing', async () => {
    const outcome = await whenClosed(await open());
    expect(outcome.closed).toBe(true);
  });

  it('closes a connection that sends its request headers a byte at a time, before they are all sent', async () => {
    const socket = await open();
    // 100 ms a byte: the socket is never silent for long, but the headers would take 40 s to arrive.
    const headers = `GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(350)}\r\n\r\n`;
    const closing = whenClosed(socket);
    const sent = await trickle(socket, headers);
    const outcome = await closing;
    expect(outcome.closed).toBe(true);
    expect(sent).toBeLessThan(headers.length);
    expect(outcome.received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a connection that sends its request body a byte at a time, before it is all sent', async () => {
    const socket = await open();
    const body = JSON.stringify({ grant_type: 'client_credentials', client_id: 'contoso-partner', client_secret: 'contoso-secret', padding: 'p'.repeat(300) });
    socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const closing = whenClosed(socket);
    const sent = await trickle(socket, body);
    const outcome = await closing;
    expect(outcome.closed).toBe(true);
    expect(sent).toBeLessThan(body.length);
    expect(outcome.received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers a request, then closes the idle keep-alive connection', async () => {
    const socket = await open();
    const closing = whenClosed(socket);
    socket.write('GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const outcome = await closing;
    expect(outcome.closed).toBe(true);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(outcome.received.toLowerCase()).toContain('connection: keep-alive');
  });

  it('still answers ordinary requests, with and without a body', async () => {
    const jwks = await fetch(`${system.baseUrl}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    const contoso = await system.client('contoso');
    expect((await contoso.post('/v1/customers', { body: { companyName: 'Timely Ltd' } })).status).toBe(201);
  });

  it('streams a long NDJSON feed to a slow reader: only silence ends a response, not its length in time', async () => {
    const store = system.api.get(EventStore);
    const metadata = { actor: 'test', role: 'system', source: 'System', correlationId: 'slow', causationId: 'slow', requestId: 'slow', occurredAt: new Date().toISOString() };
    const filler = (): NewEvent[] => Array.from({ length: 500 }, (_, i) => ({ id: randomUUID(), type: 'TimeoutFiller', data: { i, text: 'x'.repeat(4000) }, metadata }));
    const stream = `timeout-filler-${randomUUID()}`;
    for (let i = 0; i < 4; i++) await store.appendToStream(stream, filler());
    const { rows } = await system.db.query<{ count: string }>('SELECT count(*) FROM events');
    const login = await fetch(`${system.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENTS.auditor[0], client_secret: CLIENTS.auditor[1] }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };

    const started = Date.now();
    const { lines, bytes, complete } = await new Promise<{ lines: number; bytes: number; complete: boolean }>((resolve, reject) => {
      const request = get(`${system.baseUrl}/v1/audit/events`, { headers: { accept: 'application/x-ndjson', authorization: `Bearer ${token}` } }, (response) => {
        let received = 0;
        let newlines = 0;
        let nextPauseAt = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          for (const byte of chunk) if (byte === 0x0a) newlines += 1;
          // Stop reading for a while every 2 MB, well past the kernel's buffers: the server waits on us, then writes on.
          if (received >= nextPauseAt) {
            nextPauseAt += 2_000_000;
            response.pause();
            setTimeout(() => response.resume(), 700);
          }
        });
        response.on('end', () => resolve({ lines: newlines, bytes: received, complete: response.complete }));
        response.on('error', reject);
      });
      request.on('error', reject);
    });

    expect({ complete, lines }).toEqual({ complete: true, lines: Number(rows[0].count) });
    expect(bytes).toBeGreaterThan(8_000_000);
    // Longer than the request and keep-alive timeouts, so neither cut it.
    expect(Date.now() - started).toBeGreaterThan(Number(TIMEOUTS.HTTP_REQUEST_TIMEOUT_MS) + 500);
  });
});
