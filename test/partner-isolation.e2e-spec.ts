import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { ApiClient, ApiResponse } from './support/api-client';
import { createCustomer, expectProblem, lineItem, purchase, Purchase, snapshot, Snapshot } from './support/fixtures';
import { billingStarted, publisherDoes } from './support/publisher-steps';
import { CLIENTS, startSystem, TestSystem } from './support/system';

/**
 * Tenants stay apart: another partner's customers, orders, subscriptions and operations answer
 * exactly like ids that do not exist, nothing is appended, and only partner tokens get in at all.
 */

interface Call {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** With {customer}, {order}, {subscription}, {operation} (contoso's), {otherCustomer} (contoso's second) and {northwindCustomer}. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The placeholders that stand for contoso's resources: replaced by fresh UUIDs they give the "does not exist" twin of a call. */
const CONTOSO_IDS = ['customer', 'order', 'subscription', 'operation'];

const CUSTOMER = '/v1/customers/{customer}';
const ORDERS = `${CUSTOMER}/orders`;
const ORDER = `${ORDERS}/{order}`;
const SUBSCRIPTIONS = `${CUSTOMER}/subscriptions`;
const SUBSCRIPTION = `${SUBSCRIPTIONS}/{subscription}`;

const patch = (name: string, body: unknown, headers?: Record<string, string>): Call => ({ name, method: 'PATCH', path: SUBSCRIPTION, body, headers });

/** Every partner call that takes an id, aimed at contoso's resources. */
const CALLS_ON_CONTOSO: Call[] = [
  { name: 'GET the customer', method: 'GET', path: CUSTOMER },
  { name: 'list the customer’s orders', method: 'GET', path: ORDERS },
  { name: 'place an order for the customer', method: 'POST', path: ORDERS, body: { lineItems: [lineItem()] } },
  { name: 'place an order with an Idempotency-Key', method: 'POST', path: ORDERS, body: { lineItems: [lineItem()] }, headers: { 'idempotency-key': 'isolation-1' } },
  { name: 'GET the order', method: 'GET', path: ORDER },
  { name: 'GET the line item’s activation links', method: 'GET', path: `${ORDER}/lineitems/1/activationlinks` },
  { name: 'list the customer’s subscriptions', method: 'GET', path: SUBSCRIPTIONS },
  { name: 'GET the subscription', method: 'GET', path: SUBSCRIPTION },
  patch('PATCH friendlyName', { friendlyName: 'Taken over' }),
  patch('PATCH quantity', { quantity: 7 }),
  patch('PATCH quantity outside the plan (ownership is decided first)', { quantity: 501 }),
  patch('PATCH autoRenewEnabled', { autoRenewEnabled: false }),
  patch('PATCH partnerId', { partnerId: '7654321' }),
  patch('PATCH partnerId: null', { partnerId: null }),
  patch('PATCH status: deleted', { status: 'deleted' }),
  patch('PATCH every field at once', { friendlyName: 'Taken over', quantity: 7, autoRenewEnabled: false, partnerId: '7654321', status: 'deleted' }),
  patch('PATCH with the current ETag in If-Match', { friendlyName: 'Taken over' }, { 'if-match': '{etag}' }),
  patch('PATCH with a stale If-Match (404, not 412)', { friendlyName: 'Taken over' }, { 'if-match': '"0"' }),
  patch('PATCH with If-Match: *', { status: 'deleted' }, { 'if-match': '*' }),
  { name: 'GET the seat-change operation', method: 'GET', path: `${SUBSCRIPTION}/operations/{operation}` },
];

/** Contoso's order, subscription and operation addressed under some other customer id that its caller owns. */
const underCustomer = (customer: string): Call[] => [
  { name: 'GET the order', method: 'GET', path: `/v1/customers/{${customer}}/orders/{order}` },
  { name: 'GET the line item’s activation links', method: 'GET', path: `/v1/customers/{${customer}}/orders/{order}/lineitems/1/activationlinks` },
  { name: 'GET the subscription', method: 'GET', path: `/v1/customers/{${customer}}/subscriptions/{subscription}` },
  { name: 'PATCH the subscription', method: 'PATCH', path: `/v1/customers/{${customer}}/subscriptions/{subscription}`, body: { status: 'deleted' } },
  { name: 'PATCH the subscription with its current ETag', method: 'PATCH', path: `/v1/customers/{${customer}}/subscriptions/{subscription}`, body: { quantity: 7 }, headers: { 'if-match': '{etag}' } },
  { name: 'GET the operation', method: 'GET', path: `/v1/customers/{${customer}}/subscriptions/{subscription}/operations/{operation}` },
];

/** One call per partner route, for the role and token checks. */
const EVERY_PARTNER_ROUTE: Call[] = [
  { name: 'GET /v1/offers', method: 'GET', path: '/v1/offers' },
  { name: 'GET /v1/customers', method: 'GET', path: '/v1/customers' },
  { name: 'POST /v1/customers', method: 'POST', path: '/v1/customers', body: { companyName: 'Intruder Ltd' } },
  { name: 'GET /v1/customers/{id}', method: 'GET', path: CUSTOMER },
  { name: 'GET …/orders', method: 'GET', path: ORDERS },
  { name: 'POST …/orders', method: 'POST', path: ORDERS, body: { lineItems: [lineItem()] } },
  { name: 'GET …/orders/{id}', method: 'GET', path: ORDER },
  { name: 'GET …/lineitems/{n}/activationlinks', method: 'GET', path: `${ORDER}/lineitems/1/activationlinks` },
  { name: 'GET …/subscriptions', method: 'GET', path: SUBSCRIPTIONS },
  { name: 'GET …/subscriptions/{id}', method: 'GET', path: SUBSCRIPTION },
  { name: 'PATCH …/subscriptions/{id}', method: 'PATCH', path: SUBSCRIPTION, body: { status: 'deleted' } },
  { name: 'GET …/operations/{id}', method: 'GET', path: `${SUBSCRIPTION}/operations/{operation}` },
];

const withoutInstance = ({ instance: _instance, ...problem }: Record<string, unknown>) => problem;

describe('Partner API keeps tenants apart', () => {
  let system: TestSystem;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let bought: Purchase;
  let ids: Record<string, string>;
  let contosoToken: string;
  let before: { subscription: Snapshot; customer: Snapshot; order: Snapshot; otherCustomer: Snapshot };

  beforeAll(async () => {
    system = await startSystem();
    contoso = await system.client('contoso');
    northwind = await system.client('northwind');

    bought = await purchase(contoso, { quantity: 3, friendlyName: 'Contoso CRM' });
    const otherCustomer = await createCustomer(contoso, 'Second Contoso Customer');
    await billingStarted(system, bought.subscriptionId, 3);
    const seats = await contoso.patch(bought.path, { body: { quantity: 4 } });
    if (seats.status !== 202) throw new Error(`seat change: ${seats.status} ${seats.text}`);
    const operation = new URL(seats.headers.get('operation-location')!).pathname.split('/').pop()!;
    // Finished, so that no timer can append to the stream while the cases below count events.
    await publisherDoes(system, bought.subscriptionId, { type: 'AcceptOperation', data: { operationId: operation, now: system.clock.now().toISOString(), answeredBy: 'Publisher' } });
    await purchase(northwind, { quantity: 2 });
    const northwindCustomer = await createCustomer(northwind, 'Northwind Customer');
    await system.caughtUp();

    ids = { customer: bought.customerId, order: bought.orderId, subscription: bought.subscriptionId, operation, otherCustomer, northwindCustomer };
    before = {
      subscription: await snapshot(contoso, bought.path),
      customer: await snapshot(contoso, `/v1/customers/${bought.customerId}`),
      order: await snapshot(contoso, `/v1/customers/${bought.customerId}/orders/${bought.orderId}`),
      otherCustomer: await snapshot(contoso, `/v1/customers/${otherCustomer}`),
    };
    expect(before.subscription.body).toMatchObject({ status: 'active', quantity: 4, friendlyName: 'Contoso CRM', pendingOperations: [] });

    const token = await new ApiClient(system.baseUrl).post('/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: CLIENTS.contoso[0], client_secret: CLIENTS.contoso[1] },
    });
    contosoToken = token.body.access_token;
  });

  afterAll(() => system.close());

  const fill = (text: string, values: Record<string, string> = ids): string =>
    text.replace(/\{(\w+)\}/g, (placeholder, name: string) => (name === 'etag' ? before.subscription.etag! : (values[name] ?? placeholder)));

  function send(client: ApiClient, call: Call, values: Record<string, string> = ids): Promise<ApiResponse> {
    const headers = call.headers && Object.fromEntries(Object.entries(call.headers).map(([name, value]) => [name, fill(value, values)]));
    return client.request(call.method, fill(call.path, values), { body: call.body, headers });
  }

  async function expectContosoUnchanged(): Promise<void> {
    expect(await snapshot(contoso, bought.path)).toEqual(before.subscription);
    expect(await snapshot(contoso, `/v1/customers/${bought.customerId}`)).toEqual(before.customer);
    expect(await snapshot(contoso, `/v1/customers/${bought.customerId}/orders/${bought.orderId}`)).toEqual(before.order);
    expect(await snapshot(contoso, `/v1/customers/${ids.otherCustomer}`)).toEqual(before.otherCustomer);
  }

  /** 404, in every member but `instance` the same answer as for ids nobody ever used, with no header that hints otherwise. */
  async function expectIndistinguishableFromUnknown(client: ApiClient, call: Call): Promise<void> {
    const events = await system.eventCount();
    const response = await send(client, call);
    const unknownIds = { ...ids, ...Object.fromEntries(CONTOSO_IDS.map((name) => [name, randomUUID()])) };
    const unknown = await send(client, call, unknownIds);

    expectProblem(response, 404);
    expectProblem(unknown, 404);
    expect(withoutInstance(response.body)).toEqual(withoutInstance(unknown.body));
    expect(Object.keys(response.body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
    for (const header of ['etag', 'location', 'operation-location']) expect(response.headers.get(header)).toBeNull();
    expect(await system.eventCount()).toBe(events);
    await expectContosoUnchanged();
  }

  describe('northwind aimed at contoso’s resources gets 404', () => {
    it.each(CALLS_ON_CONTOSO)('$name', (call) => expectIndistinguishableFromUnknown(northwind, call));
  });

  describe('northwind aimed at contoso’s resources under its own customer gets 404', () => {
    it.each(underCustomer('northwindCustomer'))('$name', (call) => expectIndistinguishableFromUnknown(northwind, call));
  });

  describe('contoso’s resources under another contoso customer are 404', () => {
    it.each(underCustomer('otherCustomer'))('$name', (call) => expectIndistinguishableFromUnknown(contoso, call));
  });

  describe('lists show only one’s own', () => {
    async function everyPage(client: ApiClient, first: string): Promise<{ id: string; partnerId?: string }[]> {
      const items: { id: string; partnerId?: string }[] = [];
      for (let next: string | undefined = first; next; ) {
        const page: ApiResponse = await client.get(next);
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        next = page.body.links?.next?.uri;
      }
      return items;
    }

    it('northwind’s customer list, page by page, holds its customers and none of contoso’s', async () => {
      const customers = await everyPage(northwind, '/v1/customers?size=1');
      expect(customers.length).toBeGreaterThanOrEqual(2);
      expect(customers.map((c) => c.id)).toContain(ids.northwindCustomer);
      expect(customers.map((c) => c.id)).not.toContain(ids.customer);
      expect(customers.map((c) => c.id)).not.toContain(ids.otherCustomer);
      expect(new Set(customers.map((c) => c.partnerId))).toEqual(new Set(['northwind']));
    });

    it('contoso’s customer list holds its customers and none of northwind’s', async () => {
      const customers = await everyPage(contoso, '/v1/customers?size=1');
      expect(customers.map((c) => c.id)).toEqual(expect.arrayContaining([ids.customer, ids.otherCustomer]));
      expect(customers.map((c) => c.id)).not.toContain(ids.northwindCustomer);
      expect(new Set(customers.map((c) => c.partnerId))).toEqual(new Set(['contoso']));
    });

    it('a continuation token from contoso’s list shows northwind only northwind’s customers', async () => {
      const contosoPage = await contoso.get('/v1/customers?size=1');
      const next: string = contosoPage.body.links.next.uri;
      const token = new URL(next, system.baseUrl).searchParams.get('continuationToken')!;
      const page = await northwind.get(`/v1/customers?size=500&continuationToken=${encodeURIComponent(token)}`);
      expect(page.status).toBe(200);
      expect(page.body.items.every((c: { partnerId: string }) => c.partnerId === 'northwind')).toBe(true);
      expect(page.body.totalCount).toBe((await northwind.get('/v1/customers')).body.totalCount);
    });

    it('another customer of contoso lists none of the first one’s orders or subscriptions', async () => {
      const orders = await contoso.get(`/v1/customers/${ids.otherCustomer}/orders`);
      const subscriptions = await contoso.get(`/v1/customers/${ids.otherCustomer}/subscriptions`);
      expect(orders.body).toEqual({ totalCount: 0, items: [] });
      expect(subscriptions.body).toEqual({ totalCount: 0, items: [] });
    });

    it('northwind’s own customer lists only northwind’s orders and subscriptions', async () => {
      const [customer] = (await northwind.get('/v1/customers')).body.items.filter((c: { id: string }) => c.id !== ids.northwindCustomer);
      const orders = await northwind.get(`/v1/customers/${customer.id}/orders`);
      const subscriptions = await northwind.get(`/v1/customers/${customer.id}/subscriptions`);
      expect(orders.body.totalCount).toBe(1);
      expect(subscriptions.body.totalCount).toBe(1);
      expect(orders.body.items[0].id).not.toBe(ids.order);
      expect(subscriptions.body.items[0]).toMatchObject({ customerId: customer.id, quantity: 2 });
    });
  });

  describe('only partner tokens reach partner endpoints', () => {
    const cases = (['fabrikam', 'auditor', 'admin'] as const).flatMap((role) => EVERY_PARTNER_ROUTE.map((call) => ({ ...call, role })));

    it.each(cases)('$role: $name → 403', async ({ role, ...call }) => {
      const client = await system.client(role);
      const events = await system.eventCount();
      const response = await send(client, call);
      expectProblem(response, 403);
      expect(await system.eventCount()).toBe(events);
      await expectContosoUnchanged();
    });
  });

  describe('a request without a valid token is 401', () => {
    async function expectUnauthorized(call: Call, authorization: string | null): Promise<void> {
      const events = await system.eventCount();
      const headers = { ...call.headers, ...(authorization === null ? {} : { authorization }) };
      const response = await send(new ApiClient(system.baseUrl), { ...call, headers });
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(await system.eventCount()).toBe(events);
      await expectContosoUnchanged();
    }

    it.each(EVERY_PARTNER_ROUTE)('no Authorization header: $name', (call) => expectUnauthorized(call, null));

    const segments = (token: string) => token.split('.') as [string, string, string];
    /** A different character in the middle of a part: the last one of a part may only carry padding bits. */
    const flip = (part: string) => {
      const at = Math.floor(part.length / 2);
      return `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
    };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    const BAD_TOKENS: { name: string; authorization: () => Promise<string> }[] = [
      { name: 'an empty bearer token', authorization: async () => 'Bearer ' },
      { name: 'a garbage token', authorization: async () => 'Bearer garbage' },
      { name: 'a garbage three-part token', authorization: async () => 'Bearer abc.def.ghi' },
      { name: 'contoso’s client id and secret as Basic', authorization: async () => `Basic ${Buffer.from(`${CLIENTS.contoso[0]}:${CLIENTS.contoso[1]}`).toString('base64')}` },
      { name: 'contoso’s token without the Bearer scheme', authorization: async () => contosoToken },
      {
        name: 'contoso’s token with one character of the signature changed',
        authorization: async () => {
          const [header, payload, signature] = segments(contosoToken);
          return `Bearer ${header}.${payload}.${flip(signature)}`;
        },
      },
      {
        name: 'contoso’s token with one character of the payload changed',
        authorization: async () => {
          const [header, payload, signature] = segments(contosoToken);
          return `Bearer ${header}.${flip(payload)}.${signature}`;
        },
      },
      {
        name: 'contoso’s token re-labelled for northwind (tid swapped, signature kept)',
        authorization: async () => {
          const [header, , signature] = segments(contosoToken);
          return `Bearer ${header}.${encode({ ...decodeJwt(contosoToken), tid: 'northwind', sub: CLIENTS.northwind[0] })}.${signature}`;
        },
      },
      {
        name: 'contoso’s claims with alg "none" and no signature',
        authorization: async () => `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${segments(contosoToken)[1]}.`,
      },
      {
        name: 'contoso’s claims and key id signed with another RSA key',
        authorization: async () => {
          const { privateKey } = await generateKeyPair('RS256');
          const forged = await new SignJWT(decodeJwt(contosoToken)).setProtectedHeader(decodeProtectedHeader(contosoToken) as { alg: string }).sign(privateKey);
          return `Bearer ${forged}`;
        },
      },
    ];

    const calls = EVERY_PARTNER_ROUTE.filter((call) => ['GET /v1/customers/{id}', 'POST …/orders', 'PATCH …/subscriptions/{id}'].includes(call.name));
    it.each(BAD_TOKENS.flatMap((token) => calls.map((call) => ({ ...token, call }))))('$name: $call.name', async ({ authorization, call }) =>
      expectUnauthorized(call, await authorization()),
    );

    it('while contoso’s own token still works on the same calls', async () => {
      const response = await new ApiClient(system.baseUrl, contosoToken).get(`/v1/customers/${ids.customer}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(before.customer.body);
    });
  });
});
