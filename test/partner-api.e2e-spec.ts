import { ApiClient, ApiResponse } from './support/api-client';
import { createCustomer, lineItem, purchase } from './support/fixtures';
import { billingStarted, publisherDoes } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

const SUBSCRIPTION_FIELDS = [
  'id', 'customerId', 'orderId', 'lineItemNumber', 'offerId', 'offerName', 'planId', 'publisherId', 'publisherName',
  'friendlyName', 'quantity', 'status', 'suspensionReasons', 'isTrial', 'attentionNeeded', 'actionNeeded', 'activationLink', 'licensesAssigned',
  'fulfillmentConfirmed', 'billingStartDate', 'termDuration', 'billingCycle', 'commitmentEndDate', 'autoRenewEnabled',
  'partnerId', 'cancellationAllowedUntilDate', 'creationDate', 'pendingOperations', 'nextChargeDate', 'currentTermCharged',
  'scheduledNextTermInstructions',
].sort();

describe('Partner API', () => {
  let system: TestSystem;
  let contoso: ApiClient;

  beforeAll(async () => {
    system = await startSystem();
    contoso = await system.client('contoso');
  });

  afterAll(() => system.close());

  describe('catalog', () => {
    it('lists the offers with their plans, terms and prices', async () => {
      const { status, body } = await contoso.get('/v1/offers');
      expect(status).toBe(200);
      expect(body.totalCount).toBe(2);
      expect(body.items.map((o: { id: string }) => o.id)).toEqual(['fabrikam-crm', 'fabrikam-analytics']);
      const [offer, analytics] = body.items;
      expect(offer).toMatchObject({ id: 'fabrikam-crm', publisherId: 'fabrikam', publisherName: 'Fabrikam' });
      expect(offer.terms).toEqual([
        { termDuration: 'P1M', billingCycles: ['monthly'], cancellationWindow: 'PT72H' },
        { termDuration: 'P1Y', billingCycles: ['monthly', 'annual'], cancellationWindow: 'P14D' },
      ]);
      const standard = offer.plans.find((p: { id: string }) => p.id === 'standard');
      expect(standard).toMatchObject({ minQuantity: 1, maxQuantity: 500, isPricePerSeat: true, hasFreeTrials: false });
      expect(standard.prices).toEqual([
        { termDuration: 'P1M', unitPrice: '12.00', currency: 'USD' },
        { termDuration: 'P1Y', unitPrice: '120.00', currency: 'USD' },
      ]);
      const enterprise = offer.plans.find((p: { id: string }) => p.id === 'enterprise');
      expect(enterprise).toMatchObject({ minQuantity: 10, maxQuantity: 10000 });
      expect(enterprise.prices.map((p: { unitPrice: string }) => p.unitPrice)).toEqual(['30.00', '300.00']);

      expect(analytics).toMatchObject({ name: 'Fabrikam Analytics', publisherId: 'fabrikam', publisherName: 'Fabrikam' });
      expect(analytics.terms.map((t: { termDuration: string; billingCycles: string[] }) => [t.termDuration, t.billingCycles])).toEqual([
        ['P1M', ['monthly']],
        ['P1Y', ['monthly', 'annual', 'upfront']],
        ['P2Y', ['annual', 'upfront']],
        ['P3Y', ['monthly', 'annual', 'upfront']],
      ]);
      type Plan = { id: string; minQuantity: number; maxQuantity: number; freeTrial: { duration: string } | null; prices: { unitPrice: string }[] };
      expect(analytics.plans.map((p: Plan) => [p.id, p.minQuantity, p.maxQuantity, p.freeTrial, p.prices.map((price) => price.unitPrice)])).toEqual([
        ['team', 1, 1000, null, ['20.00', '200.00', '380.00', '540.00']],
        ['business', 5, 5000, null, ['40.00', '400.00', '760.00', '1080.00']],
        ['starter', 1, 50, { duration: 'P1M' }, ['10.00', '100.00', '190.00', '270.00']],
      ]);
      expect(standard.freeTrial).toBeNull();
    });
  });

  describe('customers', () => {
    it('creates a customer, reads it at once, and lists it once projected', async () => {
      const created = await contoso.post('/v1/customers', { body: { companyName: '  Adatum  ', domain: 'Adatum.COM' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), companyName: 'Adatum', domain: 'adatum.com', partnerId: 'contoso' });
      expect(created.headers.get('location')).toBe(`/v1/customers/${created.body.id}`);

      const read = await contoso.get(`/v1/customers/${created.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);

      await system.caughtUp();
      const list = await contoso.get('/v1/customers?size=500');
      expect(list.body.items).toContainEqual(created.body);
    });

    it('returns the same customer for a resent Idempotency-Key and 422 for another body', async () => {
      const key = { 'idempotency-key': `customer-${Date.now()}` };
      const first = await contoso.post('/v1/customers', { body: { companyName: 'Keyed Ltd' }, headers: key });
      const again = await contoso.post('/v1/customers', { body: { companyName: 'Keyed Ltd' }, headers: key });
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      const other = await contoso.post('/v1/customers', { body: { companyName: 'Other Ltd' }, headers: key });
      expect(other.status).toBe(422);
      expect(other.body.type).toBe('/problems/idempotency-key-reused');
    });

    it('pages the list with links.next until every customer was seen once', async () => {
      const northwind = await system.client('northwind');
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add(await createCustomer(northwind, `Paged ${i}`));
      await system.caughtUp();
      const seen: string[] = [];
      let next: string | undefined = '/v1/customers?size=2';
      let pages = 0;
      while (next) {
        const page: ApiResponse = await northwind.get(next);
        expect(page.status).toBe(200);
        expect(page.body.totalCount).toBe(5);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((c: { id: string }) => c.id));
        next = page.body.links?.next?.uri;
        if (next) expect(page.body.links.next.method).toBe('GET');
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...ids].sort());
    });
  });

  describe('orders', () => {
    it('buys one subscription per line item and reads the order back', async () => {
      const customerId = await createCustomer(contoso);
      const response = await contoso.post(`/v1/customers/${customerId}/orders`, {
        body: {
          lineItems: [
            lineItem({ quantity: 3, friendlyName: 'Sales team' }),
            lineItem({ planId: 'enterprise', quantity: 25, termDuration: 'P1Y', billingCycle: 'annual', partnerIdOnRecord: '1234567' }),
          ],
        },
      });
      expect(response.status).toBe(201);
      const order = response.body;
      expect(order).toMatchObject({ customerId, status: 'completed' });
      expect(order.lineItems).toEqual([
        expect.objectContaining({ lineItemNumber: 1, planId: 'standard', quantity: 3, friendlyName: 'Sales team', partnerIdOnRecord: null }),
        expect.objectContaining({ lineItemNumber: 2, planId: 'enterprise', quantity: 25, friendlyName: 'Fabrikam CRM', partnerIdOnRecord: '1234567' }),
      ]);
      expect(new Set(order.lineItems.map((i: { subscriptionId: string }) => i.subscriptionId)).size).toBe(2);

      expect((await contoso.get(`/v1/customers/${customerId}/orders/${order.id}`)).body).toEqual(order);
      const second = await contoso.get(`/v1/customers/${customerId}/subscriptions/${order.lineItems[1].subscriptionId}`);
      expect(second.body).toMatchObject({ planId: 'enterprise', quantity: 25, termDuration: 'P1Y', billingCycle: 'annual', partnerId: '1234567' });

      await system.caughtUp();
      const orders = await contoso.get(`/v1/customers/${customerId}/orders`);
      expect(orders.body).toEqual({ totalCount: 1, items: [order] });
      const subscriptions = await contoso.get(`/v1/customers/${customerId}/subscriptions`);
      expect(subscriptions.body.totalCount).toBe(2);
      expect(subscriptions.body.items.map((s: { lineItemNumber: number }) => s.lineItemNumber).sort()).toEqual([1, 2]);
    });

    it('makes a resend with the same Idempotency-Key return the same order and ids, buying nothing twice', async () => {
      const customerId = await createCustomer(contoso);
      const body = { lineItems: [lineItem(), lineItem({ quantity: 2 })] };
      const headers = { 'idempotency-key': 'order-once' };
      const first = await contoso.post(`/v1/customers/${customerId}/orders`, { body, headers });
      const events = await system.eventCount();
      const resends = await Promise.all([1, 2, 3].map(() => contoso.post(`/v1/customers/${customerId}/orders`, { body, headers })));
      for (const resend of resends) {
        expect(resend.status).toBe(201);
        expect(resend.body).toEqual(first.body);
      }
      expect(await system.eventCount()).toBe(events);

      const changed = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem({ quantity: 9 })] }, headers });
      expect(changed.status).toBe(422);
      expect(changed.body).toMatchObject({ status: 422, type: '/problems/idempotency-key-reused' });
      expect(await system.eventCount()).toBe(events);
    });

    it('refuses a line outside the plan limits naming the line, and buys nothing', async () => {
      const customerId = await createCustomer(contoso);
      const events = await system.eventCount();
      const response = await contoso.post(`/v1/customers/${customerId}/orders`, {
        body: { lineItems: [lineItem(), lineItem({ planId: 'enterprise', quantity: 5 })] },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        type: '/problems/quantity-out-of-range',
        pointer: '/lineItems/1/quantity',
        minQuantity: 10,
        maxQuantity: 10000,
        errors: [{ pointer: '/lineItems/1/quantity', detail: expect.stringContaining('from 10 to 10000') }],
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await system.eventCount()).toBe(events);
    });

    it('hands out an activation link to the landing page with an authorization code', async () => {
      const bought = await purchase(contoso);
      const response = await contoso.get(`/v1/customers/${bought.customerId}/orders/${bought.orderId}/lineitems/1/activationlinks`);
      expect(response.status).toBe(200);
      expect(response.body.totalCount).toBe(1);
      const [item] = response.body.items;
      expect(item.lineItemNumber).toBe(1);
      expect(item.link.method).toBe('GET');
      const uri = new URL(item.link.uri);
      expect(`${uri.origin}${uri.pathname}`).toBe('http://localhost:4000/landing');
      expect(uri.searchParams.get('token')).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(uri.searchParams.get('token')).not.toContain(bought.subscriptionId);
      expect((await contoso.get(`/v1/customers/${bought.customerId}/orders/${bought.orderId}/lineitems/2/activationlinks`)).status).toBe(404);
    });
  });

  describe('subscriptions', () => {
    it('shows every field of a new subscription, with an ETag', async () => {
      const bought = await purchase(contoso, { quantity: 4, termDuration: 'P1Y', billingCycle: 'monthly' });
      const response = await contoso.get(bought.path);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"0"');
      const sub = response.body;
      expect(Object.keys(sub).sort()).toEqual(SUBSCRIPTION_FIELDS);
      expect(sub).toMatchObject({
        id: bought.subscriptionId,
        customerId: bought.customerId,
        orderId: bought.orderId,
        lineItemNumber: 1,
        offerId: 'fabrikam-crm',
        offerName: 'Fabrikam CRM',
        planId: 'standard',
        publisherId: 'fabrikam',
        publisherName: 'Fabrikam',
        friendlyName: 'Fabrikam CRM',
        quantity: 4,
        status: 'pending',
        suspensionReasons: null,
        isTrial: false,
        // Partner Center's "Action needed": the partner has to follow the activation link (SPEC §4).
        attentionNeeded: true,
        actionNeeded: null,
        licensesAssigned: false,
        fulfillmentConfirmed: false,
        billingStartDate: null,
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        commitmentEndDate: null,
        autoRenewEnabled: true,
        partnerId: null,
        pendingOperations: [],
        nextChargeDate: null,
        currentTermCharged: '0.00',
      });
      expect(sub.activationLink).toMatch(/^http:\/\/localhost:4000\/landing\?token=/);
      const fourteenDays = 14 * 24 * 3600 * 1000;
      expect(Date.parse(sub.cancellationAllowedUntilDate) - Date.parse(sub.creationDate)).toBe(fourteenDays);

      await billingStarted(system, bought.subscriptionId, 4);
      expect((await contoso.get(bought.path)).body).toMatchObject({ status: 'active', attentionNeeded: false, actionNeeded: null, activationLink: null });
    });

    it('applies all five PATCH fields, and the detail shows them at once', async () => {
      const bought = await purchase(contoso);
      const renamed = await contoso.patch(bought.path, {
        body: { friendlyName: '  CRM for sales  ', quantity: 12, autoRenewEnabled: false, partnerId: '7654321' },
        headers: { 'if-match': '"0"' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.headers.get('etag')).toBe('"4"');
      expect(renamed.body).toMatchObject({ friendlyName: 'CRM for sales', quantity: 12, autoRenewEnabled: false, partnerId: '7654321' });
      expect((await contoso.get(bought.path)).body).toMatchObject({ friendlyName: 'CRM for sales', quantity: 12, partnerId: '7654321' });

      const removed = await contoso.patch(bought.path, { body: { partnerId: null, autoRenewEnabled: true } });
      expect(removed.body).toMatchObject({ partnerId: null, autoRenewEnabled: true });

      const cancelled = await contoso.patch(bought.path, { body: { status: 'deleted' } });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'deleted', activationLink: null });

      await system.caughtUp();
      const listed = await contoso.get(`/v1/customers/${bought.customerId}/subscriptions`);
      expect(listed.body.items[0]).toMatchObject({ status: 'deleted', friendlyName: 'CRM for sales', quantity: 12 });
    });

    it('records each change as its event, with the request context as metadata', async () => {
      const bought = await purchase(contoso);
      await contoso.patch(bought.path, {
        body: { quantity: 6 },
        headers: { 'x-request-id': 'req-seats-1', 'x-correlation-id': 'corr-seats-1' },
      });
      const { rows } = await system.db.query<{ event_type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>(
        'SELECT event_type, data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_revision',
        [`subscription-${bought.subscriptionId}`],
      );
      expect(rows.map((r) => r.event_type)).toEqual(['SubscriptionPurchased', 'SeatsChanged']);
      expect(rows[1].data).toMatchObject({ quantity: 6, previousQuantity: 5, operationId: null });
      expect(rows[1].metadata).toEqual({
        actor: 'contoso-partner',
        role: 'partner',
        source: 'Partner',
        requestId: 'req-seats-1',
        correlationId: 'corr-seats-1',
        causationId: 'req-seats-1',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(Object.keys(rows[0].metadata).sort()).toEqual(['actor', 'causationId', 'correlationId', 'occurredAt', 'requestId', 'role', 'source']);
    });

    it('echoes request and correlation ids, generating them when absent', async () => {
      const bought = await purchase(contoso);
      const sent = await contoso.get(bought.path, { headers: { 'x-request-id': 'abc-123', 'x-correlation-id': 'flow-9' } });
      expect(sent.headers.get('x-request-id')).toBe('abc-123');
      expect(sent.headers.get('x-correlation-id')).toBe('flow-9');
      const generated = await contoso.get(bought.path);
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a stale If-Match with 412 and appends nothing', async () => {
      const bought = await purchase(contoso);
      await contoso.patch(bought.path, { body: { friendlyName: 'First' }, headers: { 'if-match': '"0"' } });
      const events = await system.eventCount();
      const stale = await contoso.patch(bought.path, { body: { friendlyName: 'Second' }, headers: { 'if-match': '"0"' } });
      expect(stale.status).toBe(412);
      expect(stale.body.type).toBe('/problems/stale-etag');
      expect(await system.eventCount()).toBe(events);
      expect((await contoso.get(bought.path)).body.friendlyName).toBe('First');
    });

    it('treats a PATCH that changes nothing as a no-op', async () => {
      const bought = await purchase(contoso);
      const events = await system.eventCount();
      const same = await contoso.patch(bought.path, { body: { friendlyName: 'Fabrikam CRM', quantity: 5, autoRenewEnabled: true, partnerId: null } });
      expect(same.status).toBe(200);
      expect(same.headers.get('etag')).toBe('"0"');
      expect(await system.eventCount()).toBe(events);
    });

    it('refuses a change against a rule with a 409 problem naming it, all or nothing', async () => {
      const bought = await purchase(contoso);
      system.clock.advance(73 * 3600 * 1000);
      const events = await system.eventCount();
      const late = await contoso.patch(bought.path, { body: { friendlyName: 'Renamed', status: 'deleted' } });
      system.clock.advance(-73 * 3600 * 1000);
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ type: '/problems/cancellation-window-closed', status: 409, title: 'Conflict' });
      expect(late.body.detail).toMatch(/auto-renew off/);
      expect(await system.eventCount()).toBe(events);
      expect((await contoso.get(bought.path)).body).toMatchObject({ friendlyName: 'Fabrikam CRM', status: 'pending' });
    });

    it('cancels inside the P1M window of 72 hours, and then nothing changes it', async () => {
      const bought = await purchase(contoso);
      system.clock.advance(71 * 3600 * 1000);
      const cancelled = await contoso.patch(bought.path, { body: { status: 'deleted' } });
      system.clock.advance(-71 * 3600 * 1000);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('deleted');
      const again = await contoso.patch(bought.path, { body: { status: 'deleted' } });
      expect(again.status).toBe(200);
      const rename = await contoso.patch(bought.path, { body: { friendlyName: 'Zombie' } });
      expect(rename.status).toBe(409);
      expect(rename.body.type).toBe('/problems/subscription-deleted');
    });

    it('reports an unknown operation as 404', async () => {
      const bought = await purchase(contoso);
      const response = await contoso.get(`${bought.path}/operations/00000000-0000-4000-8000-000000000000`);
      expect(response.status).toBe(404);
      expect(response.body.type).toBe('/problems/operation-not-found');
    });
  });

  describe('once the publisher has acted', () => {
    it('shows an active subscription with its billing start and term end, and no activation link', async () => {
      const bought = await purchase(contoso, { quantity: 3, termDuration: 'P1Y', billingCycle: 'annual' });
      await billingStarted(system, bought.subscriptionId, 3);
      const { body } = await contoso.get(bought.path);
      const today = system.clock.now().toISOString().slice(0, 10);
      expect(body).toMatchObject({ status: 'active', licensesAssigned: true, fulfillmentConfirmed: true, billingStartDate: today, activationLink: null });
      expect(body.commitmentEndDate).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(Date.parse(body.commitmentEndDate) - Date.parse(today)).toBeGreaterThan(360 * 86_400_000);
    });

    it('turns a seat change into an operation that waits for the publisher: 202 with Operation-Location', async () => {
      const bought = await purchase(contoso, { quantity: 3 });
      await billingStarted(system, bought.subscriptionId, 3);
      const response = await contoso.patch(bought.path, { body: { quantity: 8 } });
      expect(response.status).toBe(202);
      const location = response.headers.get('operation-location')!;
      expect(location).toMatch(new RegExp(`^http://localhost:3000${bought.path}/operations/[0-9a-f-]{36}$`));
      expect(response.body.quantity).toBe(3);
      expect(response.body.pendingOperations).toEqual([
        { id: expect.any(String), action: 'ChangeQuantity', status: 'InProgress', quantity: 8, requestedAt: expect.any(String), completedAt: null },
      ]);
      const operation = await contoso.get(new URL(location).pathname);
      expect(operation.status).toBe(200);
      expect(operation.body).toEqual(response.body.pendingOperations[0]);

      const second = await contoso.patch(bought.path, { body: { quantity: 9 } });
      expect(second.status).toBe(409);
      expect(second.body.type).toBe('/problems/operation-pending');
      const resend = await contoso.patch(bought.path, { body: { quantity: 8 } });
      expect(resend.status).toBe(200);

      await publisherDoes(system, bought.subscriptionId, { type: 'AcceptOperation', data: { operationId: operation.body.id, now: system.clock.now().toISOString(), answeredBy: 'Publisher' } });
      const done = await contoso.get(new URL(location).pathname);
      expect(done.body).toMatchObject({ status: 'Succeeded', completedAt: expect.any(String) });
      expect((await contoso.get(bought.path)).body).toMatchObject({ quantity: 8, pendingOperations: [] });
    });

    it('shows "Action needed" and refuses exactly the blocked operations with the reason and link', async () => {
      const bought = await purchase(contoso);
      await publisherDoes(system, bought.subscriptionId, {
        type: 'RequirePublisherAction',
        data: {
          reason: 'Export your data before cancelling',
          url: 'https://fabrikam.example/export',
          blockedOperations: ['cancel'],
          signedAt: system.clock.now().toISOString(),
        },
      });
      const { body } = await contoso.get(bought.path);
      expect(body).toMatchObject({
        attentionNeeded: true,
        actionNeeded: { reason: 'Export your data before cancelling', url: 'https://fabrikam.example/export', blockedOperations: ['cancel'] },
      });
      await system.caughtUp();
      const listed = await contoso.get(`/v1/customers/${bought.customerId}/subscriptions`);
      expect(listed.body.items[0]).toMatchObject({ attentionNeeded: true });

      const events = await system.eventCount();
      const cancel = await contoso.patch(bought.path, { body: { status: 'deleted' } });
      expect(cancel.status).toBe(409);
      expect(cancel.body).toMatchObject({
        type: '/problems/blocked-by-publisher-action',
        reason: 'Export your data before cancelling',
        url: 'https://fabrikam.example/export',
        operation: 'cancel',
      });
      expect(await system.eventCount()).toBe(events);
      expect((await contoso.patch(bought.path, { body: { friendlyName: 'Still allowed' } })).status).toBe(200);

      await publisherDoes(system, bought.subscriptionId, { type: 'ResolvePublisherAction', data: { signedAt: system.clock.now().toISOString() } });
      const cleared = await contoso.patch(bought.path, { body: { status: 'deleted' } });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ status: 'deleted', attentionNeeded: false, actionNeeded: null });
    });
  });
});
