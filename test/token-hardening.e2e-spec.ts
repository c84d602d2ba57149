import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { ApiClient } from './support/api-client';
import { CLIENTS, startSystem, TestSystem } from './support/system';

interface TokenAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/**
 * POST /oauth2/token as a form, from a chosen loopback address: the api listens on 127.0.0.1, and
 * Linux routes all of 127/8 to it, so each address is a distinct remote address to the rate limits.
 */
function requestToken(system: TestSystem, fields: Record<string, string>, from = '127.0.0.1', extraHeaders: Record<string, string> = {}): Promise<TokenAnswer> {
  const url = new URL('/oauth2/token', system.baseUrl);
  const payload = new URLSearchParams({ grant_type: 'client_credentials', ...fields }).toString();
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload), ...extraHeaders },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const login = (name: keyof typeof CLIENTS) => ({ client_id: CLIENTS[name][0], client_secret: CLIENTS[name][1] });
const wrong = (clientId: string) => ({ client_id: clientId, client_secret: 'not-the-secret' });

/** scrypt derivations the api process has run, from its own /metrics. */
async function derivations(system: TestSystem): Promise<number> {
  const { text } = await new ApiClient(system.baseUrl).get('/metrics');
  return Number(/^secret_hash_derivations_total (\d+)$/m.exec(text)![1]);
}

function expectThrottled(answer: TokenAnswer, scope: RegExp): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ error: 'slow_down', error_description: expect.stringMatching(scope) });
  expect(answer.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(answer.headers['cache-control']).toBe('no-store');
}

describe('Token endpoint rate limits', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ worker: false, env: { TOKEN_RATE_LIMIT_PER_ADDRESS: '5', TOKEN_RATE_LIMIT_PER_CLIENT: '3' } });
  });

  afterAll(() => system.close());

  it('answers the request after the fifth from one address with 429 slow_down and Retry-After, even with the right secret', async () => {
    for (let i = 1; i <= 5; i += 1) expect((await requestToken(system, wrong(`mallory-${i}`), '127.0.0.2')).status).toBe(401);
    expectThrottled(await requestToken(system, login('contoso'), '127.0.0.2'), /from this address/);
    expect((await requestToken(system, login('contoso'), '127.0.0.3')).status).toBe(200);
  });

  it('limits one client_id across addresses, and no other client', async () => {
    for (const from of ['127.0.0.4', '127.0.0.5', '127.0.0.6']) expect((await requestToken(system, wrong('northwind-partner'), from)).status).toBe(401);
    expectThrottled(await requestToken(system, login('northwind'), '127.0.0.7'), /for this client/);
    expect((await requestToken(system, login('auditor'), '127.0.0.7')).status).toBe(200);
  });

  it('limits an unknown client_id exactly like a known one', async () => {
    for (const from of ['127.0.0.8', '127.0.0.9', '127.0.0.10']) expect((await requestToken(system, wrong('eve'), from)).status).toBe(401);
    expectThrottled(await requestToken(system, wrong('eve'), '127.0.0.11'), /for this client/);
  });

  it('hashes once for an unknown client as for a known one, and not at all for a throttled request', async () => {
    const cost = async (fields: Record<string, string>, from: string, status: number) => {
      const before = await derivations(system);
      expect((await requestToken(system, fields, from)).status).toBe(status);
      return (await derivations(system)) - before;
    };
    expect(await cost(wrong('trudy'), '127.0.0.12', 401)).toBe(1);
    expect(await cost(wrong('fabrikam-publisher'), '127.0.0.13', 401)).toBe(1);
    expect(await cost(login('fabrikam'), '127.0.0.14', 200)).toBe(1);
    expect(await cost({ client_id: 'admin', client_secret: 'admin-secret\0' }, '127.0.0.15', 401)).toBe(1);
    // northwind-partner used up its limit above; contoso's address too.
    expect(await cost(login('northwind'), '127.0.0.16', 429)).toBe(0);
    expect(await cost(login('admin'), '127.0.0.2', 429)).toBe(0);
  });
});

describe('Token endpoint behind a load balancer (TRUST_PROXY)', () => {
  const via = (client: string) => ({ 'x-forwarded-for': client });

  it('counts the forwarded client address when the peer is trusted, and ignores the header from anyone else', async () => {
    const system = await startSystem({ worker: false, env: { TRUST_PROXY: '127.0.0.40/30', TOKEN_RATE_LIMIT_PER_ADDRESS: '3', TOKEN_RATE_LIMIT_PER_CLIENT: '1000' } });
    try {
      for (let i = 0; i < 3; i += 1) expect((await requestToken(system, wrong(`mallory-${i}`), '127.0.0.41', via('203.0.113.7'))).status).toBe(401);
      expectThrottled(await requestToken(system, login('contoso'), '127.0.0.41', via('203.0.113.7')), /from this address/);
      // Another client behind the same balancer has its own limit.
      expect((await requestToken(system, login('contoso'), '127.0.0.41', via('203.0.113.8'))).status).toBe(200);

      // An untrusted peer cannot escape its limit by naming another address.
      for (let i = 0; i < 3; i += 1) expect((await requestToken(system, wrong(`trudy-${i}`), '127.0.0.50', via(`198.51.100.${i}`))).status).toBe(401);
      expectThrottled(await requestToken(system, login('contoso'), '127.0.0.50', via('198.51.100.99')), /from this address/);
    } finally {
      await system.close();
    }
  });
});

describe('Token endpoint under a flood of bad logins', () => {
  it('refuses most of 200 parallel bad logins from one address at once, and still answers a good login from elsewhere', async () => {
    const system = await startSystem({ worker: false, env: { TOKEN_RATE_LIMIT_PER_ADDRESS: '20', TOKEN_RATE_LIMIT_PER_CLIENT: '1000' } });
    try {
      const before = await derivations(system);
      const flood = Array.from({ length: 200 }, () => requestToken(system, wrong('contoso-partner'), '127.0.0.1'));
      const good = requestToken(system, login('fabrikam'), '127.0.0.20');
      const statuses = (await Promise.all(flood)).map((answer) => answer.status);

      expect((await good).status).toBe(200);
      expect(statuses.filter((status) => status === 401)).toHaveLength(20);
      expect(statuses.filter((status) => status === 429)).toHaveLength(180);
      // Only what the limit let through was hashed, plus the good login.
      expect((await derivations(system)) - before).toBe(21);
    } finally {
      await system.close();
    }
  });

  it('answers 503 temporarily_unavailable at once, without hashing, when too many secrets already wait', async () => {
    const system = await startSystem({
      worker: false,
      env: { TOKEN_RATE_LIMIT_PER_ADDRESS: '10000', TOKEN_RATE_LIMIT_PER_CLIENT: '10000', TOKEN_HASH_CONCURRENCY: '1', TOKEN_HASH_MAX_WAITING: '2' },
    });
    try {
      const before = await derivations(system);
      const answers = await Promise.all(Array.from({ length: 50 }, () => requestToken(system, wrong('contoso-partner'))));
      const busy = answers.filter((answer) => answer.status === 503);
      const refused = answers.filter((answer) => answer.status === 401);

      expect(busy.length + refused.length).toBe(50);
      expect(busy.length).toBeGreaterThan(0);
      for (const answer of busy) {
        expect(answer.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
        expect(answer.headers['retry-after']).toBe('1');
      }
      expect((await derivations(system)) - before).toBe(refused.length);
      expect((await requestToken(system, login('contoso'))).status).toBe(200);
    } finally {
      await system.close();
    }
  });
});

describe('Token endpoint without Redis', () => {
  it('lets logins through when Redis, which keeps the counters, is down', async () => {
    const system = await startSystem({ worker: false, env: { REDIS_URL: 'redis://127.0.0.1:1', TOKEN_RATE_LIMIT_PER_ADDRESS: '1', TOKEN_RATE_LIMIT_PER_CLIENT: '1' } });
    try {
      expect((await requestToken(system, wrong('contoso-partner'))).status).toBe(401);
      expect((await requestToken(system, login('contoso'))).status).toBe(200);
    } finally {
      await system.close();
    }
  });
});
