import { eventHash } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { ApiClient } from './support/api-client';
import { eventually } from '@mfh/testing';
import { expectProblem, purchase, Purchase, snapshot } from './support/fixtures';
import { READ_METHODS, routesOf } from './support/routes';
import { startSystem, TestSystem } from './support/system';
import { licensesAssigned, sendCallback } from './support/webhooks';
import type { AuditEventDto } from '../apps/api/src/auditors/dto/audit-responses.dto';

const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const HASH = /^[0-9a-f]{64}$/;


describe('Auditor API: histories, access, verification (SPEC §9)', () => {
  let system: TestSystem;
  let auditor: ApiClient;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let fabrikam: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ env: { OPERATION_AUTO_ACCEPT_MS: '3600000' } });
    [auditor, contoso, northwind, fabrikam] = await Promise.all(['auditor', 'contoso', 'northwind', 'fabrikam'].map((name) => system.client(name as 'auditor')));
  });

  afterAll(() => system.close());

  const audit = (subscriptionId: string, what: 'events' | 'verify' | string) => auditor.get(`/v1/audit/subscriptions/${subscriptionId}/${what}`);

  /** The stream's rows exactly as PostgreSQL holds them. */
  async function storedEvents(subscriptionId: string): Promise<AuditEventDto[]> {
    const { rows } = await system.db.query(
      `SELECT event_id AS id, stream_revision::int AS revision, transaction_id::text || '-' || global_position::text AS position,
        event_type AS type, data, metadata, recorded_at AS "recordedAt", hash, previous_hash AS "previousHash"
      FROM events WHERE stream_id = $1 ORDER BY stream_revision`,
      [`subscription-${subscriptionId}`],
    );
    return rows.map((row) => ({ ...row, recordedAt: row.recordedAt.toISOString() }));
  }

  /** Bought by Contoso, renamed, activated by Fabrikam, licenses assigned by callback, billed by the system. */
  async function billed(): Promise<Purchase & { rename: { requestId: string; correlationId: string } }> {
    const bought = await purchase(contoso, { quantity: 5 });
    const rename = { requestId: `req-${randomUUID()}`, correlationId: `corr-${randomUUID()}` };
    const renamed = await contoso.patch(bought.path, {
      body: { friendlyName: 'Audited CRM' },
      headers: { 'x-request-id': rename.requestId, 'x-correlation-id': rename.correlationId },
    });
    expect(renamed.status).toBe(200);
    expect((await fabrikam.post(`${SAAS}/${bought.subscriptionId}/activate?${API_VERSION}`, { body: { planId: 'standard', quantity: 5 } })).status).toBe(200);
    expect((await sendCallback(system.baseUrl, licensesAssigned(bought.subscriptionId, 5))).status).toBe(202);
    const view = await eventually(() => contoso.get(bought.path), (r) => r.body.status === 'active');
    expect(view.body.status).toBe('active');
    return { ...bought, rename };
  }

  describe('GET /v1/audit/subscriptions/{id}/events', () => {
    it('returns every event in order with its full metadata, times and hash chain, as stored, for partner, publisher and system events', async () => {
      const sub = await billed();
      const response = await audit(sub.subscriptionId, 'events');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ subscriptionId: sub.subscriptionId, streamId: `subscription-${sub.subscriptionId}`, events: await storedEvents(sub.subscriptionId) });

      const events: AuditEventDto[] = response.body.events;
      expect(events.map((e) => e.type)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed', 'FulfillmentConfirmed', 'PublisherActivated', 'BillingStarted']);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      for (const event of events) {
        expect(Object.keys(event.metadata).sort()).toEqual(['actor', 'causationId', 'correlationId', 'occurredAt', 'requestId', 'role', 'source']);
        expect(new Date(event.metadata.occurredAt as string).toISOString()).toBe(event.metadata.occurredAt);
        expect(new Date(event.recordedAt).toISOString()).toBe(event.recordedAt);
        expect(event.hash).toMatch(HASH);
      }
      expect(events.map((e) => e.previousHash)).toEqual([null, ...events.slice(0, -1).map((e) => e.hash)]);
      const [purchased, renamed, confirmed, activated, billing] = events.map((e) => e.metadata);
      expect(purchased).toMatchObject({ actor: 'contoso-partner', role: 'partner', source: 'Partner' });
      expect(renamed).toEqual({
        actor: 'contoso-partner',
        role: 'partner',
        source: 'Partner',
        requestId: sub.rename.requestId,
        causationId: sub.rename.requestId,
        correlationId: sub.rename.correlationId,
        occurredAt: expect.any(String),
      });
      expect(confirmed).toMatchObject({ actor: 'fabrikam-publisher', role: 'publisher', source: 'Publisher' });
      expect(activated).toMatchObject({ actor: 'fabrikam-publisher', role: 'publisher', source: 'Publisher' });
      expect(billing).toMatchObject({ actor: 'billing', role: 'system', source: 'System' });
      // The system's reaction names what caused it.
      expect([activated.requestId, events[2].id, events[3].id]).toContain(billing.causationId);
    });

    it('reads every tenant’s subscriptions', async () => {
      const [ofContoso, ofNorthwind] = [await purchase(contoso), await purchase(northwind)];
      for (const sub of [ofContoso, ofNorthwind]) {
        const response = await audit(sub.subscriptionId, 'events');
        expect(response.status).toBe(200);
        expect(response.body.events[0].data).toMatchObject({ subscriptionId: sub.subscriptionId, customerId: sub.customerId });
      }
      expect((await audit(ofNorthwind.subscriptionId, 'events')).body.events[0].data.partnerId).toBe('northwind');
      expect((await audit(ofNorthwind.subscriptionId, 'verify')).body.valid).toBe(true);
      expect((await audit(ofNorthwind.subscriptionId, 'state?revision=0')).body.subscription.customerId).toBe(ofNorthwind.customerId);
    });

    it('answers 404 for a subscription that does not exist', async () => {
      for (const what of ['events', 'verify', 'state?revision=0', 'state?asOf=2026-01-01T00:00:00Z']) {
        const response = await audit(randomUUID(), what);
        expectProblem(response, 404);
        expect(response.body.type).toBe('/problems/subscription-not-found');
      }
    });
  });

  describe('access', () => {
    const AUDIT_PATHS = (id: string) => [
      `/v1/audit/subscriptions/${id}/events`,
      `/v1/audit/subscriptions/${id}/state?revision=0`,
      `/v1/audit/subscriptions/${id}/verify`,
      '/v1/audit/events',
    ];

    it('is for the auditor role only: partners, publishers and admins get 403, no token 401', async () => {
      const sub = await purchase(contoso);
      const admin = await system.client('admin');
      for (const path of AUDIT_PATHS(sub.subscriptionId)) {
        expect((await auditor.get(path)).status).toBe(200);
        for (const client of [contoso, northwind, fabrikam, admin]) expectProblem(await client.get(path), 403);
        expectProblem(await new ApiClient(system.baseUrl).get(path), 401);
      }
    });

    it('auditors change nothing: every write endpoint of the API refuses the auditor’s token with 403 and appends nothing', async () => {
      const sub = await purchase(contoso);
      const seen = await snapshot(contoso, sub.path);
      // Real ids where the route names them, so that a missing role check would reach a real aggregate.
      const ids: Record<string, string> = { customerId: sub.customerId, subscriptionId: sub.subscriptionId, orderId: sub.orderId, lineItemNumber: '1', publisherId: 'fabrikam' };
      const writes = routesOf(system.api).filter((route) => !READ_METHODS.includes(route.method));
      // Public by design, each with its own authentication: the token endpoint takes client credentials
      // and appends nothing; the callback receiver checks the publisher's signature.
      const exceptions = ['POST /oauth2/token', 'POST /webhooks/publishers/:publisherId'];
      expect(writes.map((route) => `${route.method} ${route.path}`)).toEqual(expect.arrayContaining([
        ...exceptions,
        'POST /v1/customers',
        'PATCH /v1/customers/:customerId/subscriptions/:subscriptionId',
        'POST /api/saas/subscriptions/:subscriptionId/activate',
        'DELETE /api/saas/subscriptions/:subscriptionId',
        'POST /v1/admin/dead-letters/:queue/:jobId/replay',
      ]));
      await system.caughtUp();
      const before = await system.eventCount();
      for (const route of writes) {
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? randomUUID());
        const response = await auditor.request(route.method, `${path}?${API_VERSION}`, {
          body: { friendlyName: 'audited', quantity: 7, status: 'deleted', planId: 'standard' },
          headers: { 'idempotency-key': randomUUID() },
        });
        const name = `${route.method} ${route.path}`;
        if (exceptions.includes(name)) {
          expect({ name, refused: [400, 401].includes(response.status) ? true : response.text }).toEqual({ name, refused: true });
        } else {
          expect({ name, status: response.status, type: response.body?.type }).toEqual({ name, status: 403, type: '/problems/role-not-allowed' });
        }
      }
      await system.caughtUp();
      expect(await system.eventCount()).toBe(before);
      expect(await snapshot(contoso, sub.path)).toEqual(seen);
    });
  });

  describe('GET /v1/audit/subscriptions/{id}/verify', () => {
    it('finds an untouched chain valid, and names the first revision of an event edited in the database', async () => {
      const sub = await billed();
      expect((await audit(sub.subscriptionId, 'verify')).body).toEqual({
        subscriptionId: sub.subscriptionId,
        valid: true,
        events: 5,
        brokenAtRevision: null,
        reason: null,
      });

      const edited = await system.db.query(
        `UPDATE events SET data = jsonb_set(data, '{friendlyName}', '"Quietly changed"') WHERE stream_id = $1 AND stream_revision = 1`,
        [`subscription-${sub.subscriptionId}`],
      );
      expect(edited.rowCount).toBe(1);
      expect((await audit(sub.subscriptionId, 'verify')).body).toEqual({
        subscriptionId: sub.subscriptionId,
        valid: false,
        events: 2,
        brokenAtRevision: 1,
        reason: 'content-altered',
      });
    });

    it('finds edited metadata', async () => {
      const sub = await billed();
      await system.db.query(`UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"') WHERE stream_id = $1 AND stream_revision = 2`, [
        `subscription-${sub.subscriptionId}`,
      ]);
      expect((await audit(sub.subscriptionId, 'verify')).body).toMatchObject({ valid: false, brokenAtRevision: 2, reason: 'content-altered' });
    });

    it('finds an edit whose hash was recomputed to match: the next event no longer links to it', async () => {
      const sub = await billed();
      const streamId = `subscription-${sub.subscriptionId}`;
      const [stored] = (await storedEvents(sub.subscriptionId)).filter((event) => event.revision === 3);
      const data = { ...stored.data, assignedSeats: 500 };
      const hash = eventHash({ ...stored, streamId, data, metadata: { ...stored.metadata } });
      await system.db.query('UPDATE events SET data = $3, hash = $4 WHERE stream_id = $1 AND stream_revision = $2', [streamId, 3, data, hash]);
      expect((await audit(sub.subscriptionId, 'verify')).body).toEqual({
        subscriptionId: sub.subscriptionId,
        valid: false,
        events: 5,
        brokenAtRevision: 4,
        reason: 'previous-hash-mismatch',
      });
    });

    it('finds the last events deleted, which leave a valid but shorter chain, against the revision the read model applied', async () => {
      const sub = await billed();
      await system.caughtUp();
      const streamId = `subscription-${sub.subscriptionId}`;
      const deleted = await system.db.query('DELETE FROM events WHERE stream_id = $1 AND stream_revision >= 3', [streamId]);
      expect(deleted.rowCount).toBe(2);
      expect((await audit(sub.subscriptionId, 'verify')).body).toEqual({
        subscriptionId: sub.subscriptionId,
        valid: false,
        events: 3,
        brokenAtRevision: 3,
        reason: 'truncated',
      });
      // Every event gone: the subscription is still known to the read model, and so is the deletion.
      await system.db.query('DELETE FROM events WHERE stream_id = $1', [streamId]);
      expect((await audit(sub.subscriptionId, 'verify')).body).toMatchObject({ valid: false, events: 0, brokenAtRevision: 0, reason: 'truncated' });
    });
  });

  describe('bad input', () => {
    it('answers 400 problems, never 500, for malformed ids and queries', async () => {
      const sub = await purchase(contoso);
      const id = sub.subscriptionId;
      const cases: [string, string][] = [
        ['/v1/audit/subscriptions/not-a-uuid/events', 'invalid-id'],
        ['/v1/audit/subscriptions/not-a-uuid/verify', 'invalid-id'],
        ['/v1/audit/subscriptions/not-a-uuid/state?revision=0', 'invalid-id'],
        [`/v1/audit/subscriptions/${id}/state`, 'invalid-state-query'],
        [`/v1/audit/subscriptions/${id}/state?revision=0&asOf=2026-01-01T00:00:00Z`, 'invalid-state-query'],
        [`/v1/audit/subscriptions/${id}/state?revision=abc`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=-1`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=1.5`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=1e3`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=99999999999999999999`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?revision=1&revision=2`, 'invalid-request'],
        ...['0x1', '1e0', '+1', '%201', '0b1', '1.0'].map((revision): [string, string] => [`/v1/audit/subscriptions/${id}/state?revision=${revision}`, 'invalid-request']),
        ...['0x10', '1e2', '+5', '%205', '10.0'].map((limit): [string, string] => [`/v1/audit/events?limit=${limit}`, 'invalid-request']),
        [`/v1/audit/subscriptions/${id}/state?asOf=yesterday`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?asOf=2026-02-30T00:00:00Z`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?asOf=2026-01-01T00:00:00`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?asOf=2026-01-01`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?asOf=`, 'invalid-request'],
        [`/v1/audit/subscriptions/${id}/state?asOf=2026-01-01T00:00:00Z&extra=1`, 'invalid-request'],
        [`/v1/audit/events?after=12`, 'invalid-request'],
        [`/v1/audit/events?after=abc`, 'invalid-request'],
        [`/v1/audit/events?after=-1--1`, 'invalid-request'],
        [`/v1/audit/events?after=1-99999999999999999999`, 'invalid-position'],
        [`/v1/audit/events?after=99999999999999999999-1`, 'invalid-position'],
        [`/v1/audit/events?limit=0`, 'invalid-request'],
        [`/v1/audit/events?limit=-5`, 'invalid-request'],
        [`/v1/audit/events?limit=ten`, 'invalid-request'],
        [`/v1/audit/events?limit=1001`, 'invalid-limit'],
        [`/v1/audit/events?limit=`, 'invalid-request'],
        [`/v1/audit/events?size=10`, 'invalid-request'],
      ];
      for (const [path, type] of cases) {
        const response = await auditor.get(path);
        expect({ path, status: response.status, type: response.body?.type }).toEqual({ path, status: 400, type: `/problems/${type}` });
        expectProblem(response, 400);
      }
      for (const path of ['/v1/audit/events?after=abc', '/v1/audit/events?limit=0']) {
        const streamed = await auditor.get(path, { headers: { accept: 'application/x-ndjson' } });
        expectProblem(streamed, 400);
      }
    });

    it('answers 404 problems for a revision past the last and an asOf before the purchase', async () => {
      const sub = await purchase(contoso);
      const past = await audit(sub.subscriptionId, 'state?revision=1');
      expectProblem(past, 404);
      expect(past.body).toMatchObject({ type: '/problems/revision-not-found', lastRevision: 0 });
      const early = await audit(sub.subscriptionId, 'state?asOf=2020-01-01T00:00:00Z');
      expectProblem(early, 404);
      expect(early.body).toMatchObject({ type: '/problems/not-yet-purchased', purchasedAt: expect.any(String) });
    });
  });
});
