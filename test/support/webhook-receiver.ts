import { createRemoteJWKSet, decodeProtectedHeader, JWTPayload, jwtVerify, ProtectedHeaderParameters } from 'jose';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers the requests about one subscription (verified ones; a bad token is always 401). */
export interface Behaviour {
  /** Answer the first `fail` requests with `status` (default 500); `Infinity` never accepts. */
  fail?: number;
  status?: number;
  /** Never answer the first `hang` requests (after any failures). */
  hang?: number;
}

export interface ReceivedRequest {
  /** When it arrived (ms since the epoch). */
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The payload's subscription id, if it had one. */
  subscriptionId: string | null;
  verified: boolean;
  claims: JWTPayload | null;
  header: ProtectedHeaderParameters | null;
  verifyError: string | null;
  /** What the receiver answered; 'hung' when it never did. */
  answer: number | 'hung';
}

const ISSUER = 'marketplace-fulfillment-hub';

/**
 * A publisher's webhook endpoint, for real: a node:http server on a free port that verifies each
 * request's bearer JWT against the marketplace's JWKS (fetched over HTTP), records every request,
 * and answers as each subscription's behaviour says (accept, fail, or hang).
 */
export class WebhookReceiver {
  private readonly received: ReceivedRequest[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly seen = new Map<string, number>();
  private jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
  private audience = '';

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((request, response) => void receiver!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/webhook`);
    return receiver;
  }

  /** Verify tokens with the keys published at `jwksUrl`, for this audience (the publisher id). */
  trust(jwksUrl: string, audience: string): void {
    this.jwks = createRemoteJWKSet(new URL(jwksUrl));
    this.audience = audience;
  }

  behave(subscriptionId: string, behaviour: Behaviour): void {
    this.behaviours.set(subscriptionId, behaviour);
  }

  /** Every request so far, or those about one subscription. */
  requests(subscriptionId?: string): ReceivedRequest[] {
    return this.received.filter((r) => subscriptionId === undefined || r.subscriptionId === subscriptionId);
  }

  accepted(subscriptionId: string): ReceivedRequest[] {
    return this.requests(subscriptionId).filter((r) => r.answer === 200);
  }

  /** Resolves once `accept` holds for the requests about the subscription; rejects after the timeout. */
  async waitFor(subscriptionId: string, accept: (requests: ReceivedRequest[]) => boolean, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const requests = this.requests(subscriptionId);
      if (accept(requests)) return requests;
      if (Date.now() > deadline) throw new Error(`webhook receiver: condition not met for ${subscriptionId}; got ${JSON.stringify(requests.map((r) => r.answer))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Verifies a token as the receiver does for each request; throws when it is not valid. */
  async verify(token: string): Promise<{ claims: JWTPayload; header: ProtectedHeaderParameters }> {
    if (!this.jwks) throw new Error('the receiver trusts no key set yet');
    const { payload, protectedHeader } = await jwtVerify(token, this.jwks, { issuer: ISSUER, audience: this.audience, algorithms: ['RS256'] });
    return { claims: payload, header: protectedHeader };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: recorded as text
    }
    const subscriptionId = typeof body?.subscriptionId === 'string' ? body.subscriptionId : null;
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? null;
    const record: ReceivedRequest = {
      at,
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body,
      subscriptionId,
      verified: false,
      claims: null,
      header: null,
      verifyError: null,
      answer: 401,
    };
    try {
      if (!token) throw new Error('no bearer token');
      const { claims, header } = await this.verify(token);
      Object.assign(record, { verified: true, claims, header });
    } catch (error) {
      record.verifyError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (token) record.header = safeHeader(token);
    }
    record.answer = record.verified ? this.answerFor(subscriptionId) : 401;
    this.received.push(record);
    if (record.answer === 'hung') return;
    response.writeHead(record.answer, { 'content-type': 'application/json' });
    response.end(JSON.stringify(record.answer === 200 ? { received: true } : { error: record.verifyError ?? 'failing on purpose' }));
  }

  private answerFor(subscriptionId: string | null): number | 'hung' {
    const key = subscriptionId ?? '';
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    const { fail = 0, status = 500, hang = 0 } = this.behaviours.get(key) ?? {};
    if (n <= fail) return status;
    if (n <= fail + hang) return 'hung';
    return 200;
  }
}

function safeHeader(token: string): ProtectedHeaderParameters | null {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return null;
  }
}
