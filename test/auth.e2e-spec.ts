import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { API_AUDIENCE } from '@mfh/auth';
import { SigningKeys } from '@mfh/auth';
import { ApiClient } from './support/api-client';
import { CLIENTS, startSystem, TestSystem } from './support/system';

describe('Tokens', () => {
  let system: TestSystem;
  let anonymous: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    anonymous = new ApiClient(system.baseUrl);
  });

  afterAll(() => system.close());

  const form = (fields: Record<string, string>) => ({
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  it.each([
    ['contoso', 'partner', 'contoso'],
    ['northwind', 'partner', 'northwind'],
    ['fabrikam', 'publisher', 'fabrikam'],
    ['auditor', 'auditor', undefined],
    ['admin', 'admin', undefined],
  ] as const)('issues %s a signed JWT carrying its role and tenant', async (name, role, tenant) => {
    const [clientId, clientSecret] = CLIENTS[name];
    const response = await anonymous.post('/oauth2/token', form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });

    const jwks = createLocalJWKSet((await anonymous.get('/.well-known/jwks.json')).body);
    const { payload, protectedHeader } = await jwtVerify(response.body.access_token, jwks, { audience: API_AUDIENCE });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: clientId, role, iss: 'marketplace-fulfillment-hub' });
    expect(payload.tid).toBe(tenant);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('refuses a secret with NUL in a JSON body too', async () => {
    const response = await anonymous.post('/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: 'admin', client_secret: 'admin-secret\u0000' },
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'invalid_client', error_description: 'Unknown client or wrong secret.' });
  });

  it('accepts a JSON body too', async () => {
    const response = await anonymous.post('/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: 'contoso-partner', client_secret: 'contoso-secret' },
    });
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token).sub).toBe('contoso-partner');
  });

  it.each([
    ['a wrong secret', { client_id: 'contoso-partner', client_secret: 'northwind-secret' }],
    ['an unknown client', { client_id: 'mallory', client_secret: 'contoso-secret' }],
    ['an empty secret', { client_id: 'contoso-partner', client_secret: '' }],
    // scrypt pads short keys with zeros, so these derive the right secret's hash.
    ['the right secret followed by NUL (admin-secret%00)', { client_id: 'admin', client_secret: 'admin-secret\0' }],
    ['the right secret followed by several NULs', { client_id: 'contoso-partner', client_secret: 'contoso-secret\0\0\0' }],
  ])('refuses %s with 401 invalid_client', async (_case, fields) => {
    const response = await anonymous.post('/oauth2/token', form({ grant_type: 'client_credentials', ...fields }));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client' });
  });

  it.each([
    ['no fields', {}, 400, 'invalid_request'],
    ['no secret', { grant_type: 'client_credentials', client_id: 'contoso-partner' }, 400, 'invalid_request'],
    ['another grant', { grant_type: 'password', client_id: 'contoso-partner', client_secret: 'contoso-secret' }, 400, 'unsupported_grant_type'],
  ])('answers %s with an OAuth error', async (_case, fields, status, error) => {
    const response = await anonymous.post('/oauth2/token', form(fields as Record<string, string>));
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(error);
  });

  it('refuses an expired token, and one signed by another key', async () => {
    const keys = system.api.get(SigningKeys);
    const expired = await keys.sign({ role: 'partner', tid: 'contoso' }, { subject: 'contoso-partner', audience: API_AUDIENCE, expiresInSeconds: -60 });
    const response = await new ApiClient(system.baseUrl, expired).get('/v1/offers');
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('/problems/invalid-token');

    const other = await startSystem({ worker: false });
    try {
      const foreign = await other.api.get(SigningKeys).sign({ role: 'partner', tid: 'contoso' }, { subject: 'contoso-partner', audience: API_AUDIENCE, expiresInSeconds: 60 });
      expect((await new ApiClient(system.baseUrl, foreign).get('/v1/offers')).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses a token minted for another audience', async () => {
    const keys = system.api.get(SigningKeys);
    const notification = await keys.sign({ role: 'partner', tid: 'contoso' }, { subject: 'contoso-partner', audience: 'fabrikam', expiresInSeconds: 60 });
    expect((await new ApiClient(system.baseUrl, notification).get('/v1/offers')).status).toBe(401);
  });

  it('shares one signing key between every process on the same database, so tokens survive restarts', async () => {
    const jwks = (await anonymous.get('/.well-known/jwks.json')).body;
    const { createApiApp } = await import('../apps/api/src/api.app');
    const second = await createApiApp(system.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = second.getHttpServer().address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await new ApiClient(url).get('/.well-known/jwks.json')).body).toEqual(jwks);
      const issuedByFirst = await anonymous.post('/oauth2/token', {
        body: { grant_type: 'client_credentials', client_id: 'contoso-partner', client_secret: 'contoso-secret' },
      });
      expect((await new ApiClient(url, issuedByFirst.body.access_token).get('/v1/offers')).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('Bearer tokens on a protected route', () => {
  let system: TestSystem;
  let token: string;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    const response = await new ApiClient(system.baseUrl).post('/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: 'contoso-partner', client_secret: 'contoso-secret' },
    });
    token = response.body.access_token;
  });

  afterAll(() => system.close());

  const call = (authorization?: string) =>
    new ApiClient(system.baseUrl).get('/v1/offers', { headers: authorization === undefined ? {} : { authorization } });

  it('accepts the scheme in any letter case', async () => {
    expect((await call(`bearer ${token}`)).status).toBe(200);
    expect((await call(`BEARER ${token}`)).status).toBe(200);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic Y29udG9zby1wYXJ0bmVyOmNvbnRvc28tc2VjcmV0'],
    ['the scheme alone', 'Bearer'],
  ])('asks for a token when there is %s', async (_case, authorization) => {
    const response = await call(authorization);
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('/problems/missing-token');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['garbage', 'Bearer garbage'],
    ['a cut token', () => `Bearer ${token.slice(0, -10)}`],
    ['an enormous token', `Bearer ${'a'.repeat(10_000)}`],
  ])('says the token is invalid for %s', async (_case, authorization) => {
    const response = await call(typeof authorization === 'function' ? authorization() : authorization);
    expect(response.status).toBe(401);
    expect(response.body.type).toBe('/problems/invalid-token');
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
