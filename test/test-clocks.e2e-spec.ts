import { eventually } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { ApiClient, ApiResponse } from './support/api-client';
import { expectProblem, lineItem } from './support/fixtures';
import { loadSaasSchemas } from './support/saas-schema';
import { startSystem, TestSystem } from './support/system';
import { licensesAssigned, sendCallback } from './support/webhooks';

const CLOCKS = '/v1/admin/test-clocks';
const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const UNKNOWN = '3f0c2b9e-8d4a-4e71-b5c6-2a9d8e7f6c51';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An advance of a clock with a few subscriptions is done in well under this. */
const ADVANCE_MS = 20_000;

const saasSchemas = loadSaasSchemas();
if (saasSchemas.missing) console.warn(`Not validating against Microsoft's Subscription schema: ${saasSchemas.missing}`);

/** Exactly Microsoft's `Subscription` schema (when its description is at hand, as in publisher-api.e2e-spec). */
function conformsToSubscription(body: unknown): void {
  if (saasSchemas.schemas) expect(saasSchemas.schemas.problems('Subscription', body)).toEqual([]);
}

interface StoredEvent {
  event_type: string;
  stream_id: string;
  stream_revision: string;
  metadata: { occurredAt: string; testClockId?: string; actor: string };
  recorded_at: Date;
}

describe('Sandbox test clocks (SPEC §14)', () => {
  let system: TestSystem;
  let admin: ApiClient;
  let contoso: ApiClient;
  let fabrikam: ApiClient;
  let auditor: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ env: { SANDBOX: 'true' } });
    [admin, contoso, fabrikam, auditor] = await Promise.all([system.client('admin'), system.client('contoso'), system.client('fabrikam'), system.client('auditor')]);
  });

  afterAll(() => system?.close());

  async function createClock(frozenTime: string, name = 'A year of renewals'): Promise<Record<string, string>> {
    const response = await admin.post(CLOCKS, { body: { name, frozenTime } });
    expect({ status: response.status, body: response.body }).toEqual({ status: 201, body: expect.objectContaining({ status: 'ready' }) });
    return response.body;
  }

  const getClock = (id: string) => admin.get(`${CLOCKS}/${id}`);
  const advance = (id: string, frozenTime: string) => admin.post(`${CLOCKS}/${id}/advance`, { body: { frozenTime } });

  /** The clock once its advance has finished: `ready` at the time it was advanced to. */
  async function readyAt(id: string, frozenTime: string): Promise<ApiResponse> {
    const response = await eventually(() => getClock(id), (r) => r.body?.status === 'ready', ADVANCE_MS);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ready', frozenTime, advancingTo: null }),
    });
    return response;
  }

  async function advanced(id: string, frozenTime: string): Promise<ApiResponse> {
    const response = await advance(id, frozenTime);
    expect({ status: response.status, body: response.body }).toEqual({ status: 202, body: expect.objectContaining({ id, status: 'advancing', advancingTo: frozenTime }) });
    return readyAt(id, frozenTime);
  }

  async function customer(testClockId?: string): Promise<string> {
    const response = await contoso.post('/v1/customers', { body: { companyName: 'Adatum Corporation', ...(testClockId ? { testClockId } : {}) } });
    expect(response.status).toBe(201);
    return response.body.id;
  }

  /** A monthly subscription bought, activated by the publisher and with its licenses assigned: billing has started, its first term runs. */
  async function billedSubscription(customerId: string): Promise<{ subscriptionId: string; orderId: string; path: string }> {
    const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem({ quantity: 3 })] } });
    expect(order.status).toBe(201);
    const subscriptionId: string = order.body.lineItems[0].subscriptionId;
    const path = `/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
    const activated = await fabrikam.post(`${SAAS}/${subscriptionId}/activate?${API_VERSION}`, { body: { planId: 'standard', quantity: 3 } });
    expect(activated.status).toBe(200);
    expect((await sendCallback(system.baseUrl, licensesAssigned(subscriptionId, 3))).status).toBe(202);
    const active = await eventually(() => contoso.get(path), (r) => r.body?.status === 'active' && r.body?.billingStartDate !== null);
    expect({ status: active.status, state: active.body.status }).toEqual({ status: 200, state: 'active' });
    await system.caughtUp();
    return { subscriptionId, orderId: order.body.id, path };
  }

  async function eventsOf(...streamIds: string[]): Promise<StoredEvent[]> {
    const { rows } = await system.db.query<StoredEvent>(
      'SELECT event_type, stream_id, stream_revision::text, metadata, recorded_at FROM events WHERE stream_id = ANY($1) ORDER BY global_position',
      [streamIds],
    );
    return rows;
  }

  describe('creating and reading clocks', () => {
    it('creates a ready clock at the normalised frozenTime, with a Location; GET by id and the list show it', async () => {
      const before = Date.now();
      const response = await admin.post(CLOCKS, { body: { name: '  Trial ends  ', frozenTime: '2027-01-01T09:30:00+02:00' } });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Trial ends',
        frozenTime: '2027-01-01T07:30:00.000Z',
        status: 'ready',
        advancingTo: null,
        createdAt: expect.any(String),
      });
      expect(Date.parse(response.body.createdAt)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(response.body.createdAt)).toBeLessThanOrEqual(Date.now() + 1_000);
      expect(response.headers.get('location')).toBe(`${CLOCKS}/${response.body.id}`);

      const read = await admin.get(response.headers.get('location')!);
      expect({ status: read.status, body: read.body }).toEqual({ status: 200, body: response.body });
      // Upper-case ids name the same clock.
      expect((await getClock(response.body.id.toUpperCase())).body).toEqual(response.body);

      const listed = await eventually(
        () => admin.get(CLOCKS),
        (r) => r.body?.items?.some((item: { id: string }) => item.id === response.body.id),
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual(response.body);
      expect(listed.body.totalCount).toBe(listed.body.items.length);
    });

    it('lists every clock oldest first, a page at a time', async () => {
      const created = [await createClock('2027-01-01T00:00:00Z', 'one'), await createClock('2027-01-01T00:00:00Z', 'two'), await createClock('2027-01-01T00:00:00Z', 'three')];
      await system.caughtUp();
      const seen: Record<string, string>[] = [];
      let path: string | undefined = `${CLOCKS}?size=2`;
      let pages = 0;
      while (path) {
        const page: ApiResponse = await admin.get(path);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items);
        path = page.body.links?.next?.uri;
        pages += 1;
      }
      const total = (await admin.get(CLOCKS)).body.totalCount;
      expect(seen).toHaveLength(total);
      expect(pages).toBe(Math.ceil(total / 2));
      expect(new Set(seen.map((clock) => clock.id)).size).toBe(total);
      // Oldest first, ties (the same millisecond) broken by id.
      const order = (a: Record<string, string>, b: Record<string, string>) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
      expect(seen).toEqual([...seen].sort(order));
      expect(seen).toEqual(expect.arrayContaining(created));
    });

    it('answers a resend with the same Idempotency-Key with the same clock, appending nothing', async () => {
      const key = randomUUID();
      const send = (name: string, frozenTime = '2027-06-01T00:00:00Z') => admin.post(CLOCKS, { body: { name, frozenTime }, headers: { 'idempotency-key': key } });
      const first = await send('Idempotent');
      expect(first.status).toBe(201);
      const count = await system.eventCount();

      const again = await send('Idempotent');
      expect({ status: again.status, body: again.body, location: again.headers.get('location') }).toEqual({
        status: 201,
        body: first.body,
        location: first.headers.get('location'),
      });
      expect(await system.eventCount()).toBe(count);

      // The same key for another clock is a mistake the API names, not a second clock.
      for (const reused of [await send('Another clock'), await send('Idempotent', '2027-07-01T00:00:00Z')]) {
        expectProblem(reused, 422);
        expect(reused.body.type).toBe('/problems/idempotency-key-reused');
      }
      expect(await system.eventCount()).toBe(count);
      // The same instant written another way is the same body.
      expect((await send('Idempotent', '2027-06-01T02:00:00+02:00')).body).toEqual(first.body);

      // Without a key every request is a new clock.
      const other = await admin.post(CLOCKS, { body: { name: 'Idempotent', frozenTime: '2027-06-01T00:00:00Z' } });
      expect(other.body.id).not.toBe(first.body.id);
    });
  });

  describe('advancing a clock', () => {
    it('is 202 and reads advancing until the worker is done, then ready at the target; the same time again is allowed', async () => {
      const clock = await createClock('2027-01-01T00:00:00Z');
      const response = await advance(clock.id, '2027-02-01T12:00:00+01:00');
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ ...clock, status: 'advancing', advancingTo: '2027-02-01T11:00:00.000Z' });
      expect(response.headers.get('location')).toBe(`${CLOCKS}/${clock.id}`);
      const ready = await readyAt(clock.id, '2027-02-01T11:00:00.000Z');
      expect(ready.body).toEqual({ ...clock, frozenTime: '2027-02-01T11:00:00.000Z' });

      expect((await advance(clock.id, '2027-02-01T11:00:00Z')).status).toBe(202);
      await readyAt(clock.id, '2027-02-01T11:00:00.000Z');
      const listed = await eventually(
        () => admin.get(`${CLOCKS}?size=500`),
        (r) => r.body.items.some((item: Record<string, string>) => item.id === clock.id && item.status === 'ready' && item.frozenTime === '2027-02-01T11:00:00.000Z'),
      );
      expect(listed.body.items).toContainEqual(ready.body);
    });

    it('refuses going backwards and more than two years in one call (400); exactly two years is allowed', async () => {
      const clock = await createClock('2028-02-29T00:00:00Z');
      const count = await system.eventCount();

      const backwards = await advance(clock.id, '2028-02-28T23:59:59.999Z');
      expectProblem(backwards, 400);
      expect(backwards.body).toMatchObject({ type: '/problems/test-clock-backwards', frozenTime: '2028-02-29T00:00:00.000Z' });

      // Two years after 29 February is 1 March (Date's own roll-over); a millisecond later is too far.
      const tooFar = await advance(clock.id, '2030-03-01T00:00:00.001Z');
      expectProblem(tooFar, 400);
      expect(tooFar.body.type).toBe('/problems/test-clock-advance-too-far');
      expect(await system.eventCount()).toBe(count);
      expect((await getClock(clock.id)).body).toEqual(clock);

      await advanced(clock.id, '2030-03-01T00:00:00.000Z');
    });

    it('refuses a second advance while one runs (409), appending nothing; the first then finishes', async () => {
      const clock = await createClock('2027-01-01T00:00:00Z');
      await system.caughtUp();
      // With no worker the advance cannot start running, so it is still running when the second one comes.
      await system.stopWorker();
      try {
        expect((await advance(clock.id, '2027-03-01T00:00:00Z')).status).toBe(202);
        const running = await getClock(clock.id);
        expect(running.body).toEqual({ ...clock, status: 'advancing', advancingTo: '2027-03-01T00:00:00.000Z' });
        const count = await system.eventCount();

        for (const to of ['2027-04-01T00:00:00Z', '2027-03-01T00:00:00Z']) {
          const second = await advance(clock.id, to);
          expectProblem(second, 409);
          expect(second.body).toMatchObject({ type: '/problems/test-clock-advancing', advancingTo: '2027-03-01T00:00:00.000Z' });
        }
        expect(await system.eventCount()).toBe(count);
        expect((await getClock(clock.id)).body).toEqual(running.body);
      } finally {
        await system.startWorker();
      }
      await readyAt(clock.id, '2027-03-01T00:00:00.000Z');
      await advanced(clock.id, '2027-04-01T00:00:00.000Z');
    });
  });

  describe('refuses bad input, appending nothing', () => {
    let clock: Record<string, string>;

    beforeAll(async () => {
      clock = await createClock('2027-01-01T00:00:00Z');
    });

    const NO_ZONE = 'frozenTime must be an ISO 8601 date-time with a time zone, such as 2027-01-01T00:00:00Z';
    const NO_DATE = 'frozenTime is not a valid date and time';
    /** The DTO refused one field, for exactly these reasons. */
    const invalid = (pointer: string, ...details: string[]) => ({
      type: '/problems/invalid-request',
      errors: (details.length > 0 ? details : [expect.any(String)]).map((detail) => ({ pointer, detail })),
    });
    const cases: { name: string; method: 'GET' | 'POST'; path: string; body?: unknown; status: number; problem: Record<string, unknown> }[] = [
      { name: 'a clock without a name', method: 'POST', path: CLOCKS, body: { frozenTime: '2027-01-01T00:00:00Z' }, status: 400, problem: invalid('/name') },
      { name: 'an empty name', method: 'POST', path: CLOCKS, body: { name: '', frozenTime: '2027-01-01T00:00:00Z' }, status: 400, problem: { type: '/problems/invalid-test-clock-name' } },
      { name: 'a blank name', method: 'POST', path: CLOCKS, body: { name: '   ', frozenTime: '2027-01-01T00:00:00Z' }, status: 400, problem: { type: '/problems/invalid-test-clock-name' } },
      { name: 'a name that is not text', method: 'POST', path: CLOCKS, body: { name: 7, frozenTime: '2027-01-01T00:00:00Z' }, status: 400, problem: invalid('/name') },
      { name: 'a clock without a time', method: 'POST', path: CLOCKS, body: { name: 'No time' }, status: 400, problem: invalid('/frozenTime') },
      { name: 'a time that is not a date', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: 'next Tuesday' }, status: 400, problem: invalid('/frozenTime', NO_DATE, NO_ZONE) },
      { name: 'a time as a number', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: 1798761600000 }, status: 400, problem: invalid('/frozenTime') },
      { name: 'a time without a zone', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '2027-01-01T00:00:00' }, status: 400, problem: invalid('/frozenTime', NO_ZONE) },
      { name: 'a date without a time', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '2027-01-01' }, status: 400, problem: invalid('/frozenTime', NO_ZONE) },
      { name: '30 February', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '2026-02-30T00:00:00Z' }, status: 400, problem: invalid('/frozenTime', NO_DATE) },
      { name: 'a time past year 9999 once in UTC', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '9999-12-31T23:59:59-01:00' }, status: 400, problem: { type: '/problems/test-clock-time-out-of-range' } },
      { name: 'a time before 1970', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '1969-12-31T23:59:59Z' }, status: 400, problem: { type: '/problems/test-clock-time-out-of-range' } },
      { name: 'an unknown member', method: 'POST', path: CLOCKS, body: { name: 'x', frozenTime: '2027-01-01T00:00:00Z', status: 'advancing' }, status: 400, problem: invalid('/status') },
      { name: 'a body that is not an object', method: 'POST', path: CLOCKS, body: ['x'], status: 400, problem: { type: '/problems/invalid-request' } },
      { name: 'a clock id that is not a UUID', method: 'GET', path: `${CLOCKS}/not-a-uuid`, status: 400, problem: { type: '/problems/invalid-id' } },
      { name: 'an unknown clock', method: 'GET', path: `${CLOCKS}/${UNKNOWN}`, status: 404, problem: { type: '/problems/test-clock-not-found' } },
      { name: 'advancing a clock id that is not a UUID', method: 'POST', path: `${CLOCKS}/42/advance`, body: { frozenTime: '2027-02-01T00:00:00Z' }, status: 400, problem: { type: '/problems/invalid-id' } },
      { name: 'advancing an unknown clock', method: 'POST', path: `${CLOCKS}/${UNKNOWN}/advance`, body: { frozenTime: '2027-02-01T00:00:00Z' }, status: 404, problem: { type: '/problems/test-clock-not-found' } },
      { name: 'advancing without a time', method: 'POST', path: `${CLOCKS}/{clock}/advance`, body: {}, status: 400, problem: invalid('/frozenTime') },
      { name: 'advancing to a time without a zone', method: 'POST', path: `${CLOCKS}/{clock}/advance`, body: { frozenTime: '2027-02-01T00:00:00' }, status: 400, problem: invalid('/frozenTime', NO_ZONE) },
      { name: 'advancing to 30 February', method: 'POST', path: `${CLOCKS}/{clock}/advance`, body: { frozenTime: '2027-02-30T00:00:00Z' }, status: 400, problem: invalid('/frozenTime', NO_DATE) },
    ];

    it.each(cases.map((c) => ({ ...c, title: `${c.name} → ${c.status}` })))('$title', async ({ method, path, body, status, problem }) => {
      const count = await system.eventCount();
      const response = await admin.request(method, path.replace('{clock}', clock.id), { body });
      expectProblem(response, status);
      expect(response.body).toMatchObject(problem);
      expect(await system.eventCount()).toBe(count);
      expect((await getClock(clock.id)).body).toEqual(clock);
    });

    it('is for the admin role only: 401 without a token, 403 for every other role', async () => {
      const calls: [string, string, unknown][] = [
        ['POST', CLOCKS, { name: 'Not mine', frozenTime: '2027-01-01T00:00:00Z' }],
        ['GET', CLOCKS, undefined],
        ['GET', `${CLOCKS}/${clock.id}`, undefined],
        ['POST', `${CLOCKS}/${clock.id}/advance`, { frozenTime: '2027-02-01T00:00:00Z' }],
      ];
      const count = await system.eventCount();
      for (const [method, path, body] of calls) {
        const anonymous = await fetch(`${system.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        expect({ method, path, status: anonymous.status }).toEqual({ method, path, status: 401 });
        for (const client of [contoso, fabrikam, auditor]) {
          const response = await client.request(method, path, { body });
          expectProblem(response, 403);
          expect(response.body.type).toBe('/problems/role-not-allowed');
        }
      }
      expect(await system.eventCount()).toBe(count);
      expect((await getClock(clock.id)).body).toEqual(clock);
    });

    it('refuses a customer on a clock that does not exist, or a testClockId that is not a UUID (400)', async () => {
      const count = await system.eventCount();
      const unknown = await contoso.post('/v1/customers', { body: { companyName: 'Adatum', testClockId: UNKNOWN } });
      expectProblem(unknown, 400);
      expect(unknown.body).toMatchObject({ type: '/problems/unknown-test-clock', errors: [expect.objectContaining({ pointer: '/testClockId' })] });
      const malformed = await contoso.post('/v1/customers', { body: { companyName: 'Adatum', testClockId: 'clock-1' } });
      expectProblem(malformed, 400);
      expect(malformed.body).toMatchObject(invalid('/testClockId'));
      expect(await system.eventCount()).toBe(count);
    });
  });

  describe('a customer on a test clock', () => {
    const START = '2027-01-10T09:30:00.000Z';

    it("lives in the clock's time: every event of its customer, order and subscription says so, and the fulfillment API shows a test asset", async () => {
      const clock = await createClock(START, 'Bound customer');
      const before = new Date();
      const customerId = await customer(clock.id);
      const read = await contoso.get(`/v1/customers/${customerId}`);
      expect(read.body).toMatchObject({ id: customerId, testClockId: clock.id });
      const { subscriptionId, orderId } = await billedSubscription(customerId);
      const after = new Date();

      const events = await eventsOf(`customer-${customerId}`, `order-${orderId}`, `subscription-${subscriptionId}`);
      const types = events.map((event) => event.event_type);
      expect(types).toEqual(expect.arrayContaining(['CustomerCreated', 'OrderPlaced', 'SubscriptionPurchased', 'FulfillmentConfirmed', 'BillingStarted']));
      expect(new Set(events.map((event) => event.stream_id))).toEqual(new Set([`customer-${customerId}`, `order-${orderId}`, `subscription-${subscriptionId}`]));
      for (const event of events) {
        const { event_type: type, metadata, recorded_at: recordedAt } = event;
        expect({ type, occurredAt: metadata.occurredAt, testClockId: metadata.testClockId }).toEqual({ type, occurredAt: START, testClockId: clock.id });
        // Stored when it happened in the real world, so recorded and business time tell apart.
        expect({ type, recordedInTheTest: recordedAt >= new Date(before.getTime() - 1_000) && recordedAt <= new Date(after.getTime() + 1_000) }).toEqual({ type, recordedInTheTest: true });
      }

      const saas = await fabrikam.get(`${SAAS}/${subscriptionId}?${API_VERSION}`);
      expect(saas.status).toBe(200);
      expect(saas.body).toMatchObject({ id: subscriptionId, isTest: true, saasSubscriptionStatus: 'Subscribed', term: expect.objectContaining({ startDate: '2027-01-10T00:00:00Z', endDate: '2027-02-09T00:00:00Z' }) });
      conformsToSubscription(saas.body);
    });

    it('a wall-clock customer is not a test asset: isTest false, no testClockId, wall time', async () => {
      const customerId = await customer();
      expect((await contoso.get(`/v1/customers/${customerId}`)).body.testClockId).toBeUndefined();
      const { subscriptionId } = await billedSubscription(customerId);
      const saas = await fabrikam.get(`${SAAS}/${subscriptionId}?${API_VERSION}`);
      expect(saas.body.isTest).toBe(false);
      conformsToSubscription(saas.body);
      for (const event of await eventsOf(`customer-${customerId}`, `subscription-${subscriptionId}`)) {
        expect(event.metadata.testClockId).toBeUndefined();
        expect(Math.abs(Date.parse(event.metadata.occurredAt) - event.recorded_at.getTime())).toBeLessThan(10_000);
      }
    });

    it("renews at each term end in the clock's time during an advance, and the auditor's asOf rebuilds each term by business time", async () => {
      const clock = await createClock(START, 'Two months');
      const customerId = await customer(clock.id);
      const { subscriptionId, path } = await billedSubscription(customerId);
      const other = await billedSubscription(customerId);

      const advancedAt = Date.now();
      await advanced(clock.id, '2027-03-20T00:00:00.000Z');
      const renewals = (await eventsOf(`subscription-${subscriptionId}`)).filter((event) => event.event_type === 'SubscriptionRenewed');
      expect(renewals.map((event) => ({ occurredAt: event.metadata.occurredAt, testClockId: event.metadata.testClockId, actor: event.metadata.actor }))).toEqual([
        { occurredAt: '2027-02-10T00:00:00.000Z', testClockId: clock.id, actor: 'test-clock' },
        { occurredAt: '2027-03-10T00:00:00.000Z', testClockId: clock.id, actor: 'test-clock' },
      ]);
      for (const event of renewals) expect(event.recorded_at.getTime()).toBeGreaterThanOrEqual(advancedAt - 1_000);
      // Ready means every effect is applied: the partner's view already shows the third term.
      const now = await contoso.get(path);
      expect(now.body).toMatchObject({ status: 'active', commitmentEndDate: '2027-04-09' });
      expect((await contoso.get(other.path)).body).toMatchObject({ status: 'active', commitmentEndDate: '2027-04-09' });

      const saas = await fabrikam.get(`${SAAS}/${subscriptionId}?${API_VERSION}`);
      expect(saas.body).toMatchObject({ isTest: true, term: expect.objectContaining({ startDate: '2027-03-10T00:00:00Z', endDate: '2027-04-09T00:00:00Z' }) });

      const asOf = async (time: string) => {
        const response = await auditor.get(`/v1/audit/subscriptions/${subscriptionId}/state?asOf=${encodeURIComponent(time)}`);
        expect({ time, status: response.status }).toEqual({ time, status: 200 });
        return response.body;
      };
      // Between the first and the second renewal: the first renewal's term, though the store wrote both within seconds.
      const between = await asOf('2027-02-20T00:00:00Z');
      expect(between).toMatchObject({ occurredAt: '2027-02-10T00:00:00.000Z', asOf: '2027-02-20T00:00:00Z' });
      expect(between.subscription).toMatchObject({ status: 'active', commitmentEndDate: '2027-03-09' });
      expect(Math.abs(Date.parse(between.recordedAt) - Date.now())).toBeLessThan(60_000);
      expect((await asOf('2027-02-09T23:59:59.999Z')).subscription.commitmentEndDate).toBe('2027-02-09');
      expect((await asOf('2027-03-10T00:00:00Z')).subscription.commitmentEndDate).toBe('2027-04-09');
      const beforePurchase = await auditor.get(`/v1/audit/subscriptions/${subscriptionId}/state?asOf=2027-01-10T09:29:59Z`);
      expectProblem(beforePurchase, 404);
      expect(beforePurchase.body.type).toBe('/problems/not-yet-purchased');
    });

    it("accepts an unanswered seat change 10 s of the clock's time after the request, during an advance", async () => {
      const clock = await createClock(START, 'Seat change');
      const { subscriptionId, path } = await billedSubscription(await customer(clock.id));
      await advanced(clock.id, '2027-01-20T00:00:00.000Z');

      const changed = await contoso.patch(path, { body: { quantity: 5 } });
      expect(changed.status).toBe(202);
      // A millisecond short of the window it still waits, however long that took on the wall clock.
      await advanced(clock.id, '2027-01-20T00:00:09.999Z');
      expect((await contoso.get(path)).body).toMatchObject({
        quantity: 3,
        pendingOperations: [expect.objectContaining({ action: 'ChangeQuantity', quantity: 5, status: 'InProgress', requestedAt: '2027-01-20T00:00:00.000Z' })],
      });

      await advanced(clock.id, '2027-01-20T00:01:00.000Z');
      expect((await contoso.get(path)).body).toMatchObject({ quantity: 5, pendingOperations: [] });
      const seats = (await eventsOf(`subscription-${subscriptionId}`)).filter((event) => ['SeatChangeRequested', 'SeatsChanged'].includes(event.event_type));
      expect(seats.map((event) => [event.event_type, event.metadata.occurredAt, event.metadata.testClockId])).toEqual([
        ['SeatChangeRequested', '2027-01-20T00:00:00.000Z', clock.id],
        ['SeatsChanged', '2027-01-20T00:00:10.000Z', clock.id],
      ]);
    });
  });
});

describe('Test clocks when SANDBOX is off', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
  });

  afterAll(() => system?.close());

  it('has none of their routes: each is a 404 like any unknown path', async () => {
    const admin = await system.client('admin');
    const calls: [string, string, unknown][] = [
      ['POST', CLOCKS, { name: 'Nope', frozenTime: '2027-01-01T00:00:00Z' }],
      ['GET', CLOCKS, undefined],
      ['GET', `${CLOCKS}/${UNKNOWN}`, undefined],
      ['POST', `${CLOCKS}/${UNKNOWN}/advance`, { frozenTime: '2027-02-01T00:00:00Z' }],
    ];
    const seen = async (method: string, path: string, body: unknown) => {
      const response = await admin.request(method, path, { body });
      return { status: response.status, type: response.headers.get('content-type'), body: { ...response.body, detail: response.body.detail.replace(path, '<path>'), instance: undefined } };
    };
    for (const [method, path, body] of calls) {
      const unknownPath = await seen(method, `/v1/admin/no-such-thing/${randomUUID()}`, body);
      expect(unknownPath.status).toBe(404);
      expect({ method, path, ...(await seen(method, path, body)) }).toEqual({ method, path, ...unknownPath });
    }
    expect(await system.eventCount()).toBe(0);
  });

  it('refuses a customer with a testClockId (400 sandbox-disabled) and appends nothing', async () => {
    const contoso = await system.client('contoso');
    const count = await system.eventCount();
    for (const testClockId of [UNKNOWN, randomUUID()]) {
      const response = await contoso.post('/v1/customers', { body: { companyName: 'Adatum', testClockId }, headers: { 'idempotency-key': randomUUID() } });
      expectProblem(response, 400);
      expect(response.body).toMatchObject({ type: '/problems/sandbox-disabled', errors: [expect.objectContaining({ pointer: '/testClockId' })] });
    }
    expect(await system.eventCount()).toBe(count);
    // Without it, customers are created as ever.
    expect((await contoso.post('/v1/customers', { body: { companyName: 'Adatum' } })).status).toBe(201);
  });
});
