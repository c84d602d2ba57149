import { hashSecret } from '@mfh/config';
import { EncryptJWT } from 'jose';
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActivationCodes } from '@mfh/auth';
import { ApiClient, ApiResponse } from './support/api-client';
import { createCustomer, expectProblem, lineItem, LineItem, purchase, Purchase } from './support/fixtures';
import { billingStarted } from './support/publisher-steps';
import { loadSaasSchemas } from './support/saas-schema';
import { startSystem, TestSystem } from './support/system';

const API_VERSION = 'api-version=2018-08-31';
const PUBLIC_BASE_URL = 'https://marketplace.example.test/hub';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A path of the fulfillment API with its api-version (and any further query). */
const saas = (path = '', query = '') => `/api/saas/subscriptions${path}?${API_VERSION}${query}`;

/** The development catalog plus a second publisher, Tailspin, with an offer of its own: one plan not priced per seat, one private. */
async function writeCatalog(dir: string): Promise<string> {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '../config/catalog.development.json'), 'utf8'));
  catalog.clients.push({ clientId: 'tailspin-publisher', secretHash: await hashSecret('tailspin-secret'), role: 'publisher', tenantId: 'tailspin' });
  catalog.publishers.push({
    id: 'tailspin',
    name: 'Tailspin',
    callbackSigningSecret: 'whsec_dGFpbHNwaW4tY2FsbGJhY2stc2VjcmV0LTAwMQ==',
    landingPageUrl: 'http://localhost:4001/activate',
    notificationUrl: null,
  });
  const prices = (monthly: string, yearly: string) => [
    { termDuration: 'P1M', unitPrice: monthly, currency: 'EUR' },
    { termDuration: 'P1Y', unitPrice: yearly, currency: 'EUR' },
  ];
  catalog.offers.push({
    id: 'tailspin-hr',
    name: 'Tailspin HR',
    description: 'People management.',
    publisherId: 'tailspin',
    terms: [
      { termDuration: 'P1M', cancellationWindow: 'PT72H' },
      { termDuration: 'P1Y', cancellationWindow: 'P14D' },
    ],
    plans: [
      { id: 'basic', name: 'Basic', description: 'Per seat.', isPricePerSeat: true, isPrivate: false, hasFreeTrials: false, minQuantity: 1, maxQuantity: 1000, prices: prices('4.50', '45.00') },
      { id: 'site', name: 'Site', description: 'One price for the whole site.', isPricePerSeat: false, isPrivate: false, hasFreeTrials: false, minQuantity: 1, maxQuantity: 1, prices: prices('99.00', '990.00') },
      { id: 'vip', name: 'VIP', description: 'Private plan.', isPricePerSeat: true, isPrivate: true, hasFreeTrials: true, freeTrial: { duration: 'P1M' }, minQuantity: 1, maxQuantity: 1000, prices: prices('1.00', '10.00') },
    ],
  });
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

describe('Publisher API (SaaS Fulfillment API v2)', () => {
  let dir: string;
  let system: TestSystem;
  let contoso: ApiClient;
  let fabrikam: ApiClient;
  let tailspin: ApiClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'publisher-api-'));
    system = await startSystem({
      // Operations stay InProgress until the test answers them; the 10-second auto-accept is the worker's and tested there.
      env: { CATALOG_FILE: await writeCatalog(dir), PUBLIC_BASE_URL, OPERATION_AUTO_ACCEPT_MS: '3600000' },
    });
    contoso = await system.client('contoso');
    fabrikam = await system.client('fabrikam');
    tailspin = await ApiClient.login(system.baseUrl, 'tailspin-publisher', 'tailspin-secret');
  });

  afterAll(async () => {
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The authorization code in the activation link the partner sees. */
  async function tokenOf(bought: Purchase): Promise<string> {
    const { body } = await contoso.get(bought.path);
    return new URL(body.activationLink).searchParams.get('token')!;
  }

  async function eventsOf(subscriptionId: string): Promise<{ type: string; data: any; metadata: any }[]> {
    const { rows } = await system.db.query(
      'SELECT event_type AS type, data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_revision',
      [`subscription-${subscriptionId}`],
    );
    return rows;
  }

  const resolveToken = (client: ApiClient, token: string | undefined, headers: Record<string, string> = {}) =>
    client.post(saas('/resolve'), { headers: { ...(token === undefined ? {} : { 'x-ms-marketplace-token': token }), ...headers } });

  const activate = (id: string, body: object, headers: Record<string, string> = {}) => fabrikam.post(saas(`/${id}/activate`), { body, headers });

  /** The path of an absolute link this system handed out on PUBLIC_BASE_URL. */
  function pathOf(link: string): string {
    expect(link.startsWith(`${PUBLIC_BASE_URL}/api/saas/subscriptions`)).toBe(true);
    return link.slice(PUBLIC_BASE_URL.length);
  }

  /** Bought, resolved, activated, licenses assigned, billing started: Subscribed. */
  async function subscribed(item: LineItem = {}): Promise<Purchase> {
    const bought = await purchase(contoso, item);
    const quantity = item.quantity ?? 5;
    expect((await activate(bought.subscriptionId, { planId: item.planId ?? 'standard', quantity })).status).toBe(200);
    await billingStarted(system, bought.subscriptionId, quantity, item.planId ?? 'standard');
    return bought;
  }

  describe('resolve', () => {
    it('turns the code of the activation link into the subscription it stands for', async () => {
      const bought = await purchase(contoso, { quantity: 7, friendlyName: 'Adatum CRM' });
      const response = await resolveToken(fabrikam, await tokenOf(bought));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: bought.subscriptionId,
        subscriptionName: 'Adatum CRM',
        offerId: 'fabrikam-crm',
        planId: 'standard',
        quantity: 7,
        subscription: expect.objectContaining({ id: bought.subscriptionId, saasSubscriptionStatus: 'PendingFulfillmentStart', quantity: 7 }),
      });
    });

    it('accepts the code still URL-encoded', async () => {
      const bought = await purchase(contoso);
      const token = await tokenOf(bought);
      const encoded = token.replace(/\./g, '%2E').replace(/-/g, '%2D');
      expect(encoded).not.toBe(token);
      const response = await resolveToken(fabrikam, encoded);
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(bought.subscriptionId);
    });

    it('refuses a missing, forged, altered or expired code with 400', async () => {
      const bought = await purchase(contoso);
      const token = await tokenOf(bought);
      const parts = token.split('.');
      const middle = Math.floor(parts[3].length / 2);
      parts[3] = parts[3].slice(0, middle) + (parts[3][middle] === 'A' ? 'B' : 'A') + parts[3].slice(middle + 1);
      const altered = parts.join('.');
      const forged = await new EncryptJWT({ pub: 'fabrikam' })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'activation-code' })
        .setSubject(bought.subscriptionId)
        .setIssuedAt()
        .setExpirationTime('1h')
        .encrypt(createSecretKey(randomBytes(32)));
      const codes = system.api.get(ActivationCodes);
      const expired = await codes.issue(
        { subscriptionId: bought.subscriptionId, publisherId: 'fabrikam' },
        new Date(system.clock.now().getTime() - (system.config.ACTIVATION_CODE_TTL_SECONDS + 60) * 1000),
      );
      const cases: [string, string | undefined, string][] = [
        ['missing', undefined, '/problems/invalid-marketplace-token'],
        ['empty', ' ', '/problems/invalid-marketplace-token'],
        ['garbage', 'not-a-token', '/problems/invalid-marketplace-token'],
        ['forged with another key', forged, '/problems/invalid-marketplace-token'],
        ['altered', altered, '/problems/invalid-marketplace-token'],
        ['expired', expired, '/problems/expired-marketplace-token'],
      ];
      for (const [name, code, type] of cases) {
        const response = await resolveToken(fabrikam, code);
        expect({ name, status: response.status, type: response.body.type }).toEqual({ name, status: 400, type });
        expectProblem(response, 400);
      }
    });

    it('refuses with 403 a code issued for another publisher’s subscription', async () => {
      const bought = await purchase(contoso);
      const response = await resolveToken(tailspin, await tokenOf(bought));
      expectProblem(response, 403);
      expect(response.body.type).toBe('/problems/marketplace-token-of-another-publisher');
      // A code naming Tailspin for a Fabrikam subscription is refused as well.
      const crafted = await system.api.get(ActivationCodes).issue({ subscriptionId: bought.subscriptionId, publisherId: 'tailspin' });
      expectProblem(await resolveToken(tailspin, crafted), 403);
    });

    it('is for publishers only', async () => {
      const bought = await purchase(contoso);
      expectProblem(await resolveToken(contoso, await tokenOf(bought)), 403);
      expectProblem(await resolveToken(new ApiClient(system.baseUrl), await tokenOf(bought)), 401);
    });
  });

  describe('activate', () => {
    it('confirms fulfilment once: 200 without a body, and a repeat changes nothing', async () => {
      const bought = await purchase(contoso, { quantity: 3 });
      const first = await activate(bought.subscriptionId, { planId: 'standard', quantity: 3 });
      expect(first.status).toBe(200);
      expect(first.text).toBe('');
      const confirmed = (await eventsOf(bought.subscriptionId)).filter((e) => e.type === 'FulfillmentConfirmed');
      expect(confirmed).toEqual([expect.objectContaining({ data: { planId: 'standard', quantity: 3 } })]);
      expect(confirmed[0].metadata).toMatchObject({ actor: 'fabrikam-publisher', role: 'publisher', source: 'Publisher' });

      const count = await system.eventCount();
      const again = await activate(bought.subscriptionId, { planId: 'standard', quantity: 3 });
      expect(again.status).toBe(200);
      expect((await eventsOf(bought.subscriptionId)).filter((e) => e.type === 'FulfillmentConfirmed')).toHaveLength(1);
      expect(await system.eventCount()).toBe(count);
      expect((await contoso.get(bought.path)).body.fulfillmentConfirmed).toBe(true);
    });

    it('refuses a plan or quantity other than the subscription’s with 400, appending nothing', async () => {
      const bought = await purchase(contoso, { quantity: 3 });
      const count = await system.eventCount();
      const cases: [object, string][] = [
        [{ planId: 'enterprise', quantity: 3 }, '/planId'],
        [{ planId: 'standard', quantity: 4 }, '/quantity'],
        [{ planId: 'standard' }, '/quantity'],
        [{ planId: 'no-such-plan', quantity: 3 }, '/planId'],
      ];
      for (const [body, pointer] of cases) {
        const response = await activate(bought.subscriptionId, body);
        expectProblem(response, 400);
        expect({ body, pointer: response.body.errors?.[0]?.pointer }).toEqual({ body, pointer });
      }
      expect(await system.eventCount()).toBe(count);
    });

    it('takes no quantity for a plan that is not priced per seat', async () => {
      const bought = await purchase(contoso, { offerId: 'tailspin-hr', planId: 'site', quantity: 1 });
      const response = await tailspin.post(saas(`/${bought.subscriptionId}/activate`), { body: { planId: 'site' } });
      expect(response.status).toBe(200);
      expect((await eventsOf(bought.subscriptionId)).map((e) => e.type)).toContain('FulfillmentConfirmed');
    });

    it('answers 404 for a cancelled subscription, an unknown one, and another publisher’s', async () => {
      const cancelled = await purchase(contoso);
      expect((await contoso.patch(cancelled.path, { body: { status: 'deleted' } })).status).toBe(200);
      const fabrikams = await purchase(contoso);
      const count = await system.eventCount();
      const responses = [
        await activate(cancelled.subscriptionId, { planId: 'standard', quantity: 5 }),
        await activate(randomUUID(), { planId: 'standard', quantity: 5 }),
        await tailspin.post(saas(`/${fabrikams.subscriptionId}/activate`), { body: { planId: 'standard', quantity: 5 } }),
      ];
      for (const response of responses) expectProblem(response, 404);
      expect(responses[0].body.type).toBe('/problems/subscription-unsubscribed');
      expect(responses[2].body.type).toBe('/problems/subscription-not-found');
      expect(await system.eventCount()).toBe(count);
    });
  });

  describe('get a subscription', () => {
    it('shows it PendingFulfillmentStart until billing starts, then Subscribed with its term, then Unsubscribed', async () => {
      const bought = await purchase(contoso, { quantity: 4, termDuration: 'P1Y', billingCycle: 'monthly', friendlyName: 'Sales' });
      const customer = bought.customerId;
      const pending = await fabrikam.get(saas(`/${bought.subscriptionId}`));
      expect(pending.status).toBe(200);
      expect(pending.body).toEqual({
        id: bought.subscriptionId,
        publisherId: 'fabrikam',
        offerId: 'fabrikam-crm',
        name: 'Sales',
        saasSubscriptionStatus: 'PendingFulfillmentStart',
        beneficiary: { tenantId: customer, objectId: expect.stringMatching(UUID) },
        purchaser: { tenantId: expect.stringMatching(UUID), objectId: expect.stringMatching(UUID) },
        planId: 'standard',
        quantity: 4,
        term: { termUnit: 'P1Y' },
        autoRenew: true,
        isTest: false,
        isFreeTrial: false,
        allowedCustomerOperations: ['Read'],
        sandboxType: 'None',
        sessionMode: 'None',
        created: expect.any(String),
      });

      expect((await activate(bought.subscriptionId, { planId: 'standard', quantity: 4 })).status).toBe(200);
      await billingStarted(system, bought.subscriptionId, 4);
      const active = await fabrikam.get(saas(`/${bought.subscriptionId}`));
      const partner = (await contoso.get(bought.path)).body;
      expect(active.body).toMatchObject({
        saasSubscriptionStatus: 'Subscribed',
        term: {
          termUnit: 'P1Y',
          startDate: `${partner.billingStartDate}T00:00:00Z`,
          endDate: `${partner.commitmentEndDate}T00:00:00Z`,
          chargeDuration: 'P1M',
        },
      });

      expect((await contoso.patch(bought.path, { body: { status: 'deleted' } })).status).toBe(200);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.saasSubscriptionStatus).toBe('Unsubscribed');
    });

    it('gives the same customer and partner the same identities on every subscription', async () => {
      const customerId = await createCustomer(contoso);
      const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem(), lineItem({ planId: 'enterprise', quantity: 10 })] } });
      const [a, b] = await Promise.all(order.body.lineItems.map((item: { subscriptionId: string }) => fabrikam.get(saas(`/${item.subscriptionId}`))));
      expect(a.body.beneficiary).toEqual(b.body.beneficiary);
      expect(a.body.purchaser).toEqual(b.body.purchaser);
      expect(a.body.purchaser.tenantId).not.toBe(a.body.beneficiary.tenantId);
      const other = await purchase(await system.client('northwind'));
      const northwinds = (await fabrikam.get(saas(`/${other.subscriptionId}`))).body;
      expect(northwinds.purchaser.tenantId).not.toBe(a.body.purchaser.tenantId);
    });

    it('answers 404 for an unknown subscription and for another publisher’s', async () => {
      const bought = await purchase(contoso);
      expectProblem(await fabrikam.get(saas(`/${randomUUID()}`)), 404);
      const foreign = await tailspin.get(saas(`/${bought.subscriptionId}`));
      expectProblem(foreign, 404);
      expect(foreign.body.type).toBe('/problems/subscription-not-found');
    });
  });

  describe('list subscriptions', () => {
    /** Every page of a publisher's list, following @nextLink. */
    async function pages(client: ApiClient, first: string): Promise<any[]> {
      const all: any[] = [];
      let path: string | null = first;
      while (path) {
        const page: ApiResponse = await client.get(path);
        expect(page.status).toBe(200);
        all.push(page.body);
        path = page.body['@nextLink'] ? pathOf(page.body['@nextLink']) : null;
      }
      return all;
    }

    it('pages 100 at a time with an absolute @nextLink, on both spellings of the path, each publisher its own', async () => {
      const customerId = await createCustomer(contoso);
      const bought: string[] = [];
      for (const size of [50, 50, 1]) {
        const lineItems = Array.from({ length: size }, () => lineItem({ offerId: 'tailspin-hr', planId: 'basic', quantity: 2 }));
        const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems } });
        expect(order.status).toBe(201);
        bought.push(...order.body.lineItems.map((item: { subscriptionId: string }) => item.subscriptionId));
      }
      await system.caughtUp();

      // Microsoft's spelling, with the trailing slash.
      const all = await pages(tailspin, `/api/saas/subscriptions/?${API_VERSION}`);
      expect(all.length).toBeGreaterThanOrEqual(2);
      for (const page of all.slice(0, -1)) expect(page.subscriptions).toHaveLength(100);
      expect(all[all.length - 1].subscriptions.length).toBeGreaterThan(0);
      expect(all[all.length - 1]['@nextLink']).toBeUndefined();
      const next = new URL(all[0]['@nextLink']);
      expect(`${next.origin}${next.pathname}`).toBe(`${PUBLIC_BASE_URL}/api/saas/subscriptions`);
      expect(next.searchParams.get('api-version')).toBe('2018-08-31');
      expect(next.searchParams.get('continuationToken')).toEqual(expect.any(String));

      const seen = all.flatMap((page) => page.subscriptions);
      expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
      expect(seen.map((s) => s.id)).toEqual(expect.arrayContaining(bought));
      expect(seen.every((s) => s.publisherId === 'tailspin')).toBe(true);

      const withoutSlash = await pages(tailspin, saas());
      expect(withoutSlash.flatMap((page) => page.subscriptions)).toEqual(seen);
      const fabrikams = (await pages(fabrikam, saas())).flatMap((page) => page.subscriptions);
      expect(fabrikams.length).toBeGreaterThan(0);
      expect(fabrikams.every((s) => s.publisherId === 'fabrikam')).toBe(true);
    });

    it('includes cancelled subscriptions, as Unsubscribed, and shows what the read model holds', async () => {
      const bought = await purchase(contoso);
      await contoso.patch(bought.path, { body: { status: 'deleted' } });
      await system.caughtUp();
      const seen = (await pages(fabrikam, saas())).flatMap((page) => page.subscriptions);
      expect(seen.find((s) => s.id === bought.subscriptionId)).toMatchObject({ saasSubscriptionStatus: 'Unsubscribed' });
    });

    it('refuses a continuationToken it did not issue', async () => {
      const response = await fabrikam.get(saas('', '&continuationToken=bm90LW91cnM'));
      expectProblem(response, 400);
      expect(response.body.type).toBe('/problems/invalid-continuation-token');
    });
  });

  describe('list available plans', () => {
    it('lists the offer’s plans with their prices, or the one asked for', async () => {
      const bought = await purchase(contoso);
      const all = await fabrikam.get(saas(`/${bought.subscriptionId}/listAvailablePlans`));
      expect(all.status).toBe(200);
      expect(all.body.plans.map((p: { planId: string }) => p.planId)).toEqual(['standard', 'enterprise']);
      expect(all.body.plans[0]).toEqual({
        planId: 'standard',
        displayName: 'Standard',
        isPrivate: false,
        description: 'Per-seat CRM for teams.',
        minQuantity: 1,
        maxQuantity: 500,
        hasFreeTrials: false,
        isPricePerSeat: true,
        isStopSell: false,
        planComponents: {
          recurrentBillingTerms: [
            { currency: 'USD', price: 12, termUnit: 'P1M', termDescription: '1 month' },
            { currency: 'USD', price: 120, termUnit: 'P1Y', termDescription: '1 year' },
          ],
          meteringDimensions: [],
        },
      });
      const one = await fabrikam.get(saas(`/${bought.subscriptionId}/listAvailablePlans`, '&planId=enterprise'));
      expect(one.body.plans.map((p: { planId: string }) => p.planId)).toEqual(['enterprise']);
      expect(one.body.plans[0].planComponents.recurrentBillingTerms.map((t: { price: number }) => t.price)).toEqual([30, 300]);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}/listAvailablePlans`, '&planId=gold'))).body).toEqual({ plans: [] });
    });

    it('leaves out private plans, which no customer here is in the audience of, and refuses a change to one', async () => {
      const bought = await purchase(contoso, { offerId: 'tailspin-hr', planId: 'basic', quantity: 3 });
      const { body } = await tailspin.get(saas(`/${bought.subscriptionId}/listAvailablePlans`));
      expect(body.plans.map((p: { planId: string }) => p.planId)).toEqual(['basic', 'site']);
      expect(body.plans[1]).toMatchObject({ isPricePerSeat: false, minQuantity: 1, maxQuantity: 1 });
      const count = await system.eventCount();
      const response = await tailspin.patch(saas(`/${bought.subscriptionId}`), { body: { planId: 'vip' } });
      expectProblem(response, 400);
      expect(response.body.type).toBe('/problems/plan-not-available');
      expect(await system.eventCount()).toBe(count);
    });

    it('answers 404 for another publisher’s subscription', async () => {
      const bought = await purchase(contoso);
      expectProblem(await tailspin.get(saas(`/${bought.subscriptionId}/listAvailablePlans`)), 404);
    });
  });

  describe('changes and operations', () => {
    const answer = (id: string, operationId: string, body: object, client = fabrikam) => client.patch(saas(`/${id}/operations/${operationId}`), { body });

    it('a full flow: the partner buys, the publisher resolves, activates, changes seats, answers, and cancels', async () => {
      const bought = await purchase(contoso, { quantity: 5 });
      const resolved = await resolveToken(fabrikam, await tokenOf(bought));
      expect(resolved.body.id).toBe(bought.subscriptionId);
      expect((await activate(resolved.body.id, { planId: resolved.body.planId, quantity: resolved.body.quantity })).status).toBe(200);
      await billingStarted(system, bought.subscriptionId, 5);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.saasSubscriptionStatus).toBe('Subscribed');

      const requestId = randomUUID();
      const correlationId = randomUUID();
      const patched = await fabrikam.patch(saas(`/${bought.subscriptionId}`), {
        body: { quantity: 8 },
        headers: { 'x-ms-requestid': requestId, 'x-ms-correlationid': correlationId },
      });
      expect(patched.status).toBe(202);
      expect(patched.text).toBe('');
      expect(patched.headers.get('x-ms-requestid')).toBe(requestId);
      expect(patched.headers.get('x-ms-correlationid')).toBe(correlationId);
      const location = patched.headers.get('operation-location')!;
      const operationId = /\/operations\/([0-9a-f-]{36})\?api-version=2018-08-31$/.exec(location)![1];
      expect(location).toBe(`${PUBLIC_BASE_URL}/api/saas/subscriptions/${bought.subscriptionId}/operations/${operationId}?api-version=2018-08-31`);

      const requested = (await eventsOf(bought.subscriptionId)).find((e) => e.type === 'SeatChangeRequested')!;
      expect(requested.data).toMatchObject({ operationId, quantity: 8, previousQuantity: 5, requestedBy: 'Publisher' });
      expect(requested.metadata).toMatchObject({ requestId, correlationId, causationId: requestId, actor: 'fabrikam-publisher', source: 'Publisher' });

      const waiting = await fabrikam.get(pathOf(location));
      expect(waiting.status).toBe(200);
      expect(waiting.body).toEqual({
        id: operationId,
        activityId: expect.stringMatching(UUID),
        subscriptionId: bought.subscriptionId,
        offerId: 'fabrikam-crm',
        publisherId: 'fabrikam',
        planId: 'standard',
        quantity: 8,
        action: 'ChangeQuantity',
        timeStamp: requested.data.requestedAt,
        status: 'InProgress',
        operationRequestSource: 'Azure',
      });
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}/operations`))).body).toEqual({ operations: [waiting.body] });
      expect((await contoso.get(bought.path)).body.pendingOperations).toEqual([expect.objectContaining({ id: operationId, status: 'InProgress' })]);

      const accepted = await answer(bought.subscriptionId, operationId, { status: 'Success' });
      expect(accepted.status).toBe(200);
      expect(accepted.text).toBe('');
      expect((await eventsOf(bought.subscriptionId)).find((e) => e.type === 'SeatsChanged')?.data).toMatchObject({ operationId, quantity: 8 });
      expect((await contoso.get(bought.path)).body).toMatchObject({ quantity: 8, pendingOperations: [] });
      const done = await fabrikam.get(pathOf(location));
      expect(done.body).toMatchObject({ status: 'Succeeded', activityId: waiting.body.activityId });
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}/operations`))).body).toEqual({ operations: [] });
      const count = await system.eventCount();
      const late = await answer(bought.subscriptionId, operationId, { status: 'Success' });
      expectProblem(late, 409);
      expect(late.body.type).toBe('/problems/operation-not-in-progress');
      expect(await system.eventCount()).toBe(count);

      const deleted = await fabrikam.request('DELETE', saas(`/${bought.subscriptionId}`));
      expect(deleted.status).toBe(202);
      const cancellation = await fabrikam.get(pathOf(deleted.headers.get('operation-location')!));
      expect(cancellation.body).toMatchObject({ action: 'Unsubscribe', status: 'InProgress', quantity: 8 });
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.saasSubscriptionStatus).toBe('Subscribed');
      expect((await answer(bought.subscriptionId, cancellation.body.id, { status: 'Success' })).status).toBe(200);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.saasSubscriptionStatus).toBe('Unsubscribed');
      expect((await contoso.get(bought.path)).body.status).toBe('deleted');
      expect((await fabrikam.get(pathOf(deleted.headers.get('operation-location')!))).body.status).toBe('Succeeded');
      expect((await eventsOf(bought.subscriptionId)).map((e) => e.type)).toContain('Cancelled');
      expectProblem(await activate(bought.subscriptionId, { planId: 'standard', quantity: 8 }), 404);
    });

    it('changes the plan, and a Failure answer rejects the change', async () => {
      const bought = await subscribed({ quantity: 12 });
      const patched = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { planId: 'enterprise' } });
      expect(patched.status).toBe(202);
      const operation = (await fabrikam.get(pathOf(patched.headers.get('operation-location')!))).body;
      expect(operation).toMatchObject({ action: 'ChangePlan', planId: 'enterprise', quantity: 12, status: 'InProgress' });

      expect((await answer(bought.subscriptionId, operation.id, { status: 'Failure' })).status).toBe(200);
      const events = await eventsOf(bought.subscriptionId);
      expect(events.find((e) => e.type === 'PlanChangeRejected')?.data).toMatchObject({ operationId: operation.id, planId: 'enterprise' });
      expect(events.map((e) => e.type)).not.toContain('PlanChanged');
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}/operations/${operation.id}`))).body.status).toBe('Failed');
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.planId).toBe('standard');
      expectProblem(await answer(bought.subscriptionId, operation.id, { status: 'Success' }), 409);
      expectProblem(await answer(bought.subscriptionId, operation.id, { status: 'Failure' }), 409);

      const again = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { planId: 'enterprise' } });
      const second = /\/operations\/([0-9a-f-]{36})\?/.exec(again.headers.get('operation-location')!)![1];
      expect((await answer(bought.subscriptionId, second, { status: 'Success', planId: 'enterprise', quantity: 12 })).status).toBe(200);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}`))).body.planId).toBe('enterprise');
      expect((await contoso.get(bought.path)).body.planId).toBe('enterprise');
    });

    it('answers a repeated request with the operation that already waits, and refuses a different one with 409', async () => {
      const bought = await subscribed({ quantity: 12 });
      const first = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 13 } });
      const count = await system.eventCount();
      const repeat = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 13 } });
      expect(repeat.status).toBe(202);
      expect(repeat.headers.get('operation-location')).toBe(first.headers.get('operation-location'));
      for (const response of [
        await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 14 } }),
        await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 12 } }),
        await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { planId: 'enterprise' } }),
        await fabrikam.request('DELETE', saas(`/${bought.subscriptionId}`)),
      ]) {
        expectProblem(response, 409);
        expect(response.body.type).toBe('/problems/operation-pending');
      }
      expect(await system.eventCount()).toBe(count);

      const cancel = await subscribed();
      const deleted = await fabrikam.request('DELETE', saas(`/${cancel.subscriptionId}`));
      const deletedAgain = await fabrikam.request('DELETE', saas(`/${cancel.subscriptionId}`));
      expect(deletedAgain.status).toBe(202);
      expect(deletedAgain.headers.get('operation-location')).toBe(deleted.headers.get('operation-location'));
    });

    it('refuses with 400 an unchanged or unknown plan, a quantity outside the plan or unchanged, and a subscription not Subscribed', async () => {
      const active = await subscribed({ quantity: 5 });
      const pending = await purchase(contoso, { quantity: 5 });
      const count = await system.eventCount();
      const cases: [string, string, object, string][] = [
        ['unchanged plan', active.subscriptionId, { planId: 'standard' }, '/problems/plan-unchanged'],
        ['unknown plan', active.subscriptionId, { planId: 'gold' }, '/problems/plan-not-available'],
        ['quantity does not fit the new plan', active.subscriptionId, { planId: 'enterprise' }, '/problems/quantity-out-of-range'],
        ['quantity above the plan', active.subscriptionId, { quantity: 501 }, '/problems/quantity-out-of-range'],
        ['unchanged quantity', active.subscriptionId, { quantity: 5 }, '/problems/quantity-unchanged'],
        ['pending: quantity', pending.subscriptionId, { quantity: 6 }, '/problems/subscription-not-active'],
        ['pending: plan', pending.subscriptionId, { planId: 'enterprise' }, '/problems/subscription-not-active'],
      ];
      for (const [name, id, body, type] of cases) {
        const response = await fabrikam.patch(saas(`/${id}`), { body });
        expect({ name, status: response.status, type: response.body.type }).toEqual({ name, status: 400, type });
        expectProblem(response, 400);
      }
      expect(await system.eventCount()).toBe(count);
    });

    it('answers 404 for another publisher’s subscription, an unknown one, or an unknown operation', async () => {
      const bought = await subscribed();
      const patched = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 6 } });
      const operationId = /\/operations\/([0-9a-f-]{36})\?/.exec(patched.headers.get('operation-location')!)![1];
      const count = await system.eventCount();
      const responses = [
        await tailspin.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 7 } }),
        await tailspin.request('DELETE', saas(`/${bought.subscriptionId}`)),
        await tailspin.get(saas(`/${bought.subscriptionId}/operations`)),
        await tailspin.get(saas(`/${bought.subscriptionId}/operations/${operationId}`)),
        await answer(bought.subscriptionId, operationId, { status: 'Success' }, tailspin),
        await fabrikam.patch(saas(`/${randomUUID()}`), { body: { quantity: 7 } }),
        await fabrikam.get(saas(`/${bought.subscriptionId}/operations/${randomUUID()}`)),
        await answer(bought.subscriptionId, randomUUID(), { status: 'Success' }),
        await fabrikam.get(saas(`/${randomUUID()}/operations`)),
      ];
      for (const response of responses) expectProblem(response, 404);
      expect(await system.eventCount()).toBe(count);
    });

    it('refuses an answer whose plan or quantity is not the operation’s', async () => {
      const bought = await subscribed();
      const patched = await fabrikam.patch(saas(`/${bought.subscriptionId}`), { body: { quantity: 6 } });
      const operationId = /\/operations\/([0-9a-f-]{36})\?/.exec(patched.headers.get('operation-location')!)![1];
      const count = await system.eventCount();
      for (const body of [{ status: 'Success', quantity: 7 }, { status: 'Failure', planId: 'enterprise' }]) {
        const response = await answer(bought.subscriptionId, operationId, body);
        expectProblem(response, 400);
        expect(response.body.type).toBe('/problems/operation-mismatch');
      }
      expect(await system.eventCount()).toBe(count);
      expect((await fabrikam.get(saas(`/${bought.subscriptionId}/operations/${operationId}`))).body.status).toBe('InProgress');
    });

    it('shows a seat change the reseller asked for as requested by the Partner', async () => {
      const bought = await subscribed();
      const partnerChange = await contoso.patch(bought.path, { body: { quantity: 11 } });
      expect(partnerChange.status).toBe(202);
      const { body } = await fabrikam.get(saas(`/${bought.subscriptionId}/operations`));
      expect(body.operations).toEqual([expect.objectContaining({ action: 'ChangeQuantity', quantity: 11, operationRequestSource: 'Partner' })]);
      expect((await answer(bought.subscriptionId, body.operations[0].id, { status: 'Success' })).status).toBe(200);
      expect((await contoso.get(bought.path)).body.quantity).toBe(11);
    });
  });

  describe('request ids', () => {
    it('echoes x-ms-requestid and x-ms-correlationid, and stores them on the events the call causes', async () => {
      const bought = await purchase(contoso);
      const headers = { 'x-ms-requestid': randomUUID(), 'x-ms-correlationid': randomUUID() };
      const response = await activate(bought.subscriptionId, { planId: 'standard', quantity: 5 }, headers);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ms-requestid')).toBe(headers['x-ms-requestid']);
      expect(response.headers.get('x-ms-correlationid')).toBe(headers['x-ms-correlationid']);
      const event = (await eventsOf(bought.subscriptionId)).find((e) => e.type === 'FulfillmentConfirmed')!;
      expect(event.metadata).toMatchObject({
        requestId: headers['x-ms-requestid'],
        correlationId: headers['x-ms-correlationid'],
        causationId: headers['x-ms-requestid'],
      });
    });

    it('generates UUIDs when they are absent, on answers and on problems alike', async () => {
      const bought = await purchase(contoso);
      const ok = await activate(bought.subscriptionId, { planId: 'standard', quantity: 5 });
      const problem = await fabrikam.get(saas(`/${randomUUID()}`));
      for (const response of [ok, problem]) {
        expect(response.headers.get('x-ms-requestid')).toMatch(UUID);
        expect(response.headers.get('x-ms-correlationid')).toMatch(UUID);
      }
      expect(ok.headers.get('x-ms-requestid')).not.toBe(problem.headers.get('x-ms-requestid'));
      const event = (await eventsOf(bought.subscriptionId)).find((e) => e.type === 'FulfillmentConfirmed')!;
      expect(event.metadata).toMatchObject({ requestId: ok.headers.get('x-ms-requestid'), correlationId: ok.headers.get('x-ms-correlationid') });
    });

    it('leaves the partner API’s x-request-id and x-correlation-id as they were', async () => {
      const customerId = await createCustomer(contoso);
      const response = await contoso.get(`/v1/customers/${customerId}`, { headers: { 'x-request-id': 'partner-req-1', 'x-correlation-id': 'partner-corr-1' } });
      expect(response.headers.get('x-request-id')).toBe('partner-req-1');
      expect(response.headers.get('x-correlation-id')).toBe('partner-corr-1');
      expect(response.headers.get('x-ms-requestid')).toBeNull();
    });
  });

  describe('api-version', () => {
    it.each([
      ['missing', ''],
      ['another version', 'api-version=2022-01-01'],
      ['given twice', 'api-version=2018-08-31&api-version=2018-08-31'],
    ])('refuses a call with the api-version %s (400), before anything else', async (_name, query) => {
      const bought = await purchase(contoso);
      const count = await system.eventCount();
      for (const response of [
        await fabrikam.get(`/api/saas/subscriptions?${query}`),
        await fabrikam.get(`/api/saas/subscriptions/${bought.subscriptionId}?${query}`),
        await fabrikam.post(`/api/saas/subscriptions/${bought.subscriptionId}/activate?${query}`, { body: { planId: 'standard', quantity: 5 } }),
        await fabrikam.post(`/api/saas/subscriptions/resolve?${query}`, { headers: { 'x-ms-marketplace-token': await tokenOf(bought) } }),
      ]) {
        expectProblem(response, 400);
        expect(response.body.type).toMatch(/^\/problems\/(api-version-required|unsupported-api-version|api-version-repeated)$/);
      }
      expect(await system.eventCount()).toBe(count);
    });
  });

  const { schemas, missing } = loadSaasSchemas();
  if (missing) console.warn(`Skipping the schema conformance tests: ${missing}`);
  (schemas ? describe : describe.skip)(
    schemas ? 'conformance to Microsoft’s schemas (saasapi.v2.json)' : `conformance to Microsoft’s schemas: SKIPPED, ${missing}`,
    () => {
      const conforms = (name: string, body: unknown) => expect({ name, problems: schemas!.problems(name, body) }).toEqual({ name, problems: [] });

      it('the validator can fail: an extra member, a bad uuid or a wrong enum value', () => {
        expect(schemas!.problems('Subscription', { id: randomUUID(), unexpected: 1 })).not.toEqual([]);
        expect(schemas!.problems('Subscription', { id: 'not-a-uuid' })).not.toEqual([]);
        expect(schemas!.problems('AadIdentifier', { emailId: 'nobody' })).not.toEqual([]);
        expect(schemas!.problems('SaaSOperation', { status: 'Done' })).not.toEqual([]);
        expect(schemas!.problems('SaaSOperation', { operationRequestSource: 'Partner' })).toEqual([]);
      });

      it('every success body, in every state, matches its schema exactly', async () => {
        const bought = await purchase(contoso, { termDuration: 'P1Y', billingCycle: 'annual', quantity: 12 });
        const id = bought.subscriptionId;
        conforms('ResolvedSubscription', (await resolveToken(fabrikam, await tokenOf(bought))).body);
        conforms('Subscription', (await fabrikam.get(saas(`/${id}`))).body);
        conforms('SubscriptionPlans', (await fabrikam.get(saas(`/${id}/listAvailablePlans`))).body);
        conforms('SubscriptionPlans', (await tailspin.get(saas(`/${(await purchase(contoso, { offerId: 'tailspin-hr', planId: 'site', quantity: 1 })).subscriptionId}/listAvailablePlans`))).body);

        expect((await activate(id, { planId: 'standard', quantity: 12 })).status).toBe(200);
        await billingStarted(system, id, 12);
        conforms('Subscription', (await fabrikam.get(saas(`/${id}`))).body);
        conforms('OperationList', (await fabrikam.get(saas(`/${id}/operations`))).body);

        const seats = await fabrikam.patch(saas(`/${id}`), { body: { quantity: 13 } });
        const operation = pathOf(seats.headers.get('operation-location')!);
        conforms('SaaSOperation', (await fabrikam.get(operation)).body);
        conforms('OperationList', (await fabrikam.get(saas(`/${id}/operations`))).body);
        expect((await fabrikam.patch(operation, { body: { status: 'Success' } })).status).toBe(200);
        conforms('SaaSOperation', (await fabrikam.get(operation)).body);

        const plan = pathOf((await fabrikam.patch(saas(`/${id}`), { body: { planId: 'enterprise' } })).headers.get('operation-location')!);
        expect((await fabrikam.patch(plan, { body: { status: 'Failure' } })).status).toBe(200);
        conforms('SaaSOperation', (await fabrikam.get(plan)).body);

        const cancel = pathOf((await fabrikam.request('DELETE', saas(`/${id}`))).headers.get('operation-location')!);
        expect((await fabrikam.patch(cancel, { body: { status: 'Success' } })).status).toBe(200);
        conforms('SaaSOperation', (await fabrikam.get(cancel)).body);
        const unsubscribed = (await fabrikam.get(saas(`/${id}`))).body;
        expect(unsubscribed.saasSubscriptionStatus).toBe('Unsubscribed');
        conforms('Subscription', unsubscribed);

        await system.caughtUp();
        let path: string | null = saas();
        while (path) {
          const page: ApiResponse = await fabrikam.get(path);
          conforms('SubscriptionsResponse', page.body);
          path = page.body['@nextLink'] ? pathOf(page.body['@nextLink']) : null;
        }
        conforms('SubscriptionsResponse', (await tailspin.get(saas())).body);
      });
    },
  );
});
