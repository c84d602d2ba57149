import { CommandExecutor } from '@mfh/application/command-executor';
import { SigningKeys } from '@mfh/auth';
import { derivedId } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiClient } from './support/api-client';
import { eventually } from '@mfh/testing';
import { purchase } from './support/fixtures';
import { billingStarted } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';
import { ReceivedRequest, WebhookReceiver } from './support/webhook-receiver';

const BASE_MS = 50;
const WINDOW_MS = 3_000;
const TIMEOUT_MS = 1_000;
const DAY = 86_400_000;
const REACTOR = 'reactor-publisher-notifications';

const SPEC_PATH = resolve(__dirname, '..', process.env.SAAS_API_SPEC ?? '../shared/specs/saasapi.v2.json');
const spec = existsSync(SPEC_PATH) ? JSON.parse(readFileSync(SPEC_PATH, 'utf8')) : null;

/** Validators for Microsoft's `SaaSOperation` (every one of its fields required) and `Subscription` schemas. */
function schemaValidators(): { operation: ValidateFunction; subscription: ValidateFunction } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const { SaaSOperation, Subscription } = spec.components.schemas;
  return {
    operation: ajv.compile({ ...SaaSOperation, required: Object.keys(SaaSOperation.properties), components: spec.components }),
    subscription: ajv.compile({ ...Subscription, components: spec.components }),
  };
}

/** The development catalog with fabrikam notified at the receiver, and a second publisher that has no notification URL. */
function testCatalog(dir: string, notificationUrl: string): string {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '..', 'config/catalog.development.json'), 'utf8'));
  const fabrikam = catalog.publishers.find((p: { id: string }) => p.id === 'fabrikam');
  fabrikam.notificationUrl = notificationUrl;
  catalog.publishers.push({
    id: 'tailspin',
    name: 'Tailspin Toys',
    callbackSigningSecret: 'whsec_dGFpbHNwaW4tY2FsbGJhY2stc2VjcmV0',
    landingPageUrl: 'http://localhost:4001/landing',
    notificationUrl: null,
  });
  const crm = catalog.offers.find((o: { id: string }) => o.id === 'fabrikam-crm');
  catalog.offers.push({ ...crm, id: 'tailspin-notes', name: 'Tailspin Notes', publisherId: 'tailspin' });
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

describe('Notifications to publishers', () => {
  let receiver: WebhookReceiver;
  let system: TestSystem;
  let dir: string;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    dir = mkdtempSync(join(tmpdir(), 'mfh-notifications-'));
    system = await startSystem({
      env: {
        CATALOG_FILE: testCatalog(dir, receiver.url),
        NOTIFICATION_RETRY_BASE_MS: String(BASE_MS),
        NOTIFICATION_RETRY_WINDOW_MS: String(WINDOW_MS),
        NOTIFICATION_TIMEOUT_MS: String(TIMEOUT_MS),
      },
    });
    receiver.trust(`${system.baseUrl}/.well-known/jwks.json`, 'fabrikam');
  });

  afterAll(async () => {
    await system?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const eventIdOf = async (subscriptionId: string, type: string): Promise<string> => {
    const { rows } = await system.db.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE stream_id = $1 AND event_type = $2 ORDER BY stream_revision DESC LIMIT 1',
      [subscriptionStream(subscriptionId), type],
    );
    if (rows.length === 0) throw new Error(`no ${type} in ${subscriptionId}`);
    return rows[0].event_id;
  };

  const attemptsOf = async (deliveryId: string) => {
    const response = await (await system.client('admin')).get(`/v1/admin/notifications/${deliveryId}/attempts`);
    expect(response.status).toBe(200);
    return response.body as { deliveryId: string; state: string; totalCount: number; items: any[] };
  };

  /** A fabrikam subscription that is billed, so seat changes wait for the publisher. */
  async function billedSubscription(quantity = 3) {
    const contoso = await system.client('contoso');
    const sub = await purchase(contoso, { quantity });
    await billingStarted(system, sub.subscriptionId, quantity);
    return { contoso, sub };
  }

  async function endTerm(subscriptionId: string, operationId: string): Promise<void> {
    const now = system.clock.now().toISOString();
    await system.api.get(CommandExecutor).execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      // The current term, whichever it is: this test renews by hand rather than waiting for the renewal job.
      commands: (state): SubscriptionCommand => ({
        type: 'RenewSubscription',
        data: { operationId, now, termEnd: state.status === 'active' ? state.billing.termEnd : '' },
      }),
      metadata: { actor: 'test-renewals', role: 'system', source: 'System', correlationId: operationId, causationId: operationId, requestId: operationId, occurredAt: now },
    });
  }

  function expectMicrosoftShapes(payload: any): void {
    if (!spec) return;
    const { operation, subscription } = schemaValidators();
    expect({ valid: operation(payload), errors: operation.errors ?? null }).toEqual({ valid: true, errors: null });
    expect({ valid: subscription(payload.subscription), errors: subscription.errors ?? null }).toEqual({ valid: true, errors: null });
  }

  (spec ? it : it.skip)(`validates payloads against ${SPEC_PATH} (skipped when it is absent; set SAAS_API_SPEC)`, () => {
    const { operation } = schemaValidators();
    expect(operation({ id: 'not-a-uuid' })).toBe(false);
  });

  it('notifies a partner seat change after billing as ChangeQuantity, with a token the publisher can verify', async () => {
    const { contoso, sub } = await billedSubscription(3);
    const requested = await contoso.patch(sub.path, { body: { quantity: 8 } });
    expect(requested.status).toBe(202);
    const operationId = new URL(requested.headers.get('operation-location')!).pathname.split('/').pop()!;

    const [delivered] = await receiver.waitFor(sub.subscriptionId, (r) => r.length >= 1);
    expect(delivered).toMatchObject({ method: 'POST', path: '/webhook', verified: true, answer: 200, verifyError: null });
    expect(delivered.headers['content-type']).toBe('application/json');
    const jwks = (await contoso.get('/.well-known/jwks.json')).body;
    expect(delivered.header).toMatchObject({ alg: 'RS256', kid: jwks.keys[0].kid });
    expect(delivered.claims).toMatchObject({ iss: 'marketplace-fulfillment-hub', aud: 'fabrikam', sub: 'marketplace' });
    expect(delivered.claims!.exp! - delivered.claims!.iat!).toBe(300);

    expectMicrosoftShapes(delivered.body);
    expect(delivered.body).toEqual({
      id: operationId,
      activityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      subscriptionId: sub.subscriptionId,
      publisherId: 'fabrikam',
      offerId: 'fabrikam-crm',
      planId: 'standard',
      quantity: 8,
      action: 'ChangeQuantity',
      status: 'InProgress',
      timeStamp: expect.any(String),
      operationRequestSource: 'Partner',
      // As it stood when the change was asked for: still 3 seats.
      subscription: expect.objectContaining({ id: sub.subscriptionId, quantity: 3, saasSubscriptionStatus: 'Subscribed' }),
      purchaseToken: null,
    });

    const deliveryId = await eventIdOf(sub.subscriptionId, 'SeatChangeRequested');
    const job = await system.finishedJob(QUEUES.notifications, deliveryId);
    expect(job.returnvalue).toEqual({ attempt: 1, httpStatus: 200 });
    const list = await (await system.client('admin')).get(`/v1/admin/notifications?subscriptionId=${sub.subscriptionId}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      totalCount: 1,
      items: [{ id: deliveryId, operationId, action: 'ChangeQuantity', state: 'delivered', attemptCount: 1, lastAttempt: { attempt: 1, httpStatus: 200, outcome: 'delivered' } }],
    });
    const detail = await (await system.client('admin')).get(`/v1/admin/notifications/${deliveryId}`);
    expect(detail.body.payload).toEqual(delivered.body);
  });

  it("notifies a partner's cancellation as an Unsubscribe that has succeeded", async () => {
    const contoso = await system.client('contoso');
    const sub = await purchase(contoso, { quantity: 2 });
    expect((await contoso.patch(sub.path, { body: { status: 'deleted' } })).status).toBe(200);

    const [delivered] = await receiver.waitFor(sub.subscriptionId, (r) => r.length >= 1);
    expect(delivered.verified).toBe(true);
    expectMicrosoftShapes(delivered.body);
    expect(delivered.body).toMatchObject({
      action: 'Unsubscribe',
      status: 'Succeeded',
      operationRequestSource: 'Partner',
      quantity: 2,
      subscription: { saasSubscriptionStatus: 'Unsubscribed' },
    });
    const view = (await contoso.get(sub.path)).body;
    expect(view.status).toBe('deleted');
  });

  it('notifies a renewal at the end of a term as Renew, and the end of a term without auto-renew as Unsubscribe', async () => {
    const { contoso, sub } = await billedSubscription(4);
    const before = (await contoso.get(sub.path)).body.commitmentEndDate;
    system.clock.advance(32 * DAY);
    try {
      await endTerm(sub.subscriptionId, derivedId(sub.subscriptionId, 'test-renewal'));
      const [renewed] = await receiver.waitFor(sub.subscriptionId, (r) => r.length >= 1);
      expectMicrosoftShapes(renewed.body);
      expect(renewed.body).toMatchObject({
        id: derivedId(sub.subscriptionId, 'test-renewal'),
        action: 'Renew',
        status: 'Succeeded',
        operationRequestSource: 'Azure',
        quantity: 4,
        subscription: { saasSubscriptionStatus: 'Subscribed', autoRenew: true },
      });
      expect(renewed.body.subscription.term.endDate > `${before}T00:00:00Z`).toBe(true);

      expect((await contoso.patch(sub.path, { body: { autoRenewEnabled: false } })).status).toBe(200);
      system.clock.advance(32 * DAY);
      await endTerm(sub.subscriptionId, derivedId(sub.subscriptionId, 'test-expiry'));
      const requests = await receiver.waitFor(sub.subscriptionId, (r) => r.length >= 2);
      expectMicrosoftShapes(requests[1].body);
      expect(requests[1].body).toMatchObject({
        id: derivedId(sub.subscriptionId, 'test-expiry'),
        action: 'Unsubscribe',
        status: 'Succeeded',
        operationRequestSource: 'Azure',
        subscription: { saasSubscriptionStatus: 'Unsubscribed', autoRenew: false },
      });
    } finally {
      system.clock.advance(-64 * DAY);
    }
  });

  it('retries a failing publisher with growing delays until it accepts, recording every attempt', async () => {
    const { contoso, sub } = await billedSubscription(3);
    receiver.behave(sub.subscriptionId, { fail: 3 });
    expect((await contoso.patch(sub.path, { body: { quantity: 5 } })).status).toBe(202);

    const deliveryId = await eventIdOf(sub.subscriptionId, 'SeatChangeRequested');
    const job = await system.finishedJob(QUEUES.notifications, deliveryId);
    expect(job.returnvalue).toEqual({ attempt: 4, httpStatus: 200 });
    const requests = receiver.requests(sub.subscriptionId);
    expect(requests.map((r) => r.answer)).toEqual([500, 500, 500, 200]);
    expect(receiver.accepted(sub.subscriptionId)).toHaveLength(1);
    expect(new Set(requests.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i].at);
    // No retry comes before its delay; how much later it comes is scheduling, so only the recorded delays below are exact.
    expect(gaps[0]).toBeGreaterThanOrEqual(BASE_MS);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * BASE_MS);
    expect(gaps[2]).toBeGreaterThanOrEqual(4 * BASE_MS);

    const attempts = await attemptsOf(deliveryId);
    expect(attempts).toMatchObject({ deliveryId, state: 'delivered', totalCount: 4 });
    expect(attempts.items.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [1, 500, 'retrying'],
      [2, 500, 'retrying'],
      [3, 500, 'retrying'],
      [4, 200, 'delivered'],
    ]);
    expect(attempts.items[0]).toMatchObject({ subscriptionId: sub.subscriptionId, publisherId: 'fabrikam', url: receiver.url, error: expect.stringMatching(/^HTTP 500/) });
    const delays = attempts.items.slice(0, 3).map((a) => Date.parse(a.nextAttemptAt) - Date.parse(a.finishedAt));
    expect(delays).toEqual([BASE_MS, 2 * BASE_MS, 4 * BASE_MS]);
    for (const [i, a] of attempts.items.slice(1).entries()) expect(Date.parse(a.startedAt)).toBeGreaterThanOrEqual(Date.parse(attempts.items[i].nextAttemptAt));
  });

  it('takes a 4xx answer to a ChangeQuantity notification as the publisher rejecting the change, and does not retry', async () => {
    const { contoso, sub } = await billedSubscription(3);
    receiver.behave(sub.subscriptionId, { fail: 1, status: 409 });
    const requested = await contoso.patch(sub.path, { body: { quantity: 9 } });
    const operationPath = new URL(requested.headers.get('operation-location')!).pathname;

    const deliveryId = await eventIdOf(sub.subscriptionId, 'SeatChangeRequested');
    expect((await system.finishedJob(QUEUES.notifications, deliveryId)).returnvalue).toEqual({ attempt: 1, httpStatus: 409, rejected: true });
    expect(receiver.requests(sub.subscriptionId)).toHaveLength(1);
    expect((await contoso.get(operationPath)).body).toMatchObject({ status: 'Failed' });
    expect((await contoso.get(sub.path)).body).toMatchObject({ quantity: 3, pendingOperations: [] });
    const attempts = await attemptsOf(deliveryId);
    expect(attempts).toMatchObject({ state: 'rejected', totalCount: 1, items: [{ attempt: 1, httpStatus: 409, outcome: 'rejected' }] });
    const { rows } = await system.db.query<{ data: { reason: string } }>(
      "SELECT data FROM events WHERE stream_id = $1 AND event_type = 'SeatChangeRejected'",
      [`subscription-${sub.subscriptionId}`],
    );
    expect(rows[0].data.reason).toMatch(/HTTP 409/);
  });

  it('dead-letters a notification the publisher never accepts once the retry window has passed; a replay numbers its attempts on', async () => {
    const contoso = await system.client('contoso');
    const sub = await purchase(contoso, { quantity: 1 });
    receiver.behave(sub.subscriptionId, { fail: Infinity, status: 503 });
    expect((await contoso.patch(sub.path, { body: { status: 'deleted' } })).status).toBe(200);

    const deliveryId = await eventIdOf(sub.subscriptionId, 'Cancelled');
    const job = await system.finishedJob(QUEUES.notifications, deliveryId, WINDOW_MS + 15_000);
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toMatch(/^HTTP 503.*retry window of 3000 ms/);

    const attempts = await attemptsOf(deliveryId);
    const n = attempts.totalCount;
    expect(attempts.state).toBe('dead-lettered');
    expect(n).toBeGreaterThanOrEqual(5);
    expect(attempts.items.map((a) => a.outcome)).toEqual([...Array(n - 1).fill('retrying'), 'dead-lettered']);
    expect(attempts.items.every((a) => a.httpStatus === 503)).toBe(true);
    expect(Date.parse(attempts.items[n - 1].startedAt) - Date.parse(attempts.items[0].startedAt)).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(Date.parse(attempts.items[n - 2].startedAt) - Date.parse(attempts.items[0].startedAt)).toBeLessThan(WINDOW_MS);
    expect(receiver.requests(sub.subscriptionId)).toHaveLength(n);

    const admin = await system.client('admin');
    const deadLetters = await admin.get(`/v1/admin/notifications?state=dead-lettered&subscriptionId=${sub.subscriptionId}`);
    expect(deadLetters.body).toMatchObject({ totalCount: 1, items: [{ id: deliveryId, state: 'dead-lettered', attemptCount: n }] });
    expect((await system.queue(QUEUES.notifications).getFailed()).map((j) => j.id)).toContain(deliveryId);

    receiver.behave(sub.subscriptionId, {});
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await receiver.waitFor(sub.subscriptionId, (r) => r.some((request) => request.answer === 200));
    const replayed = await eventually(() => attemptsOf(deliveryId), (a) => a.state === 'delivered');
    expect(replayed.items.map((a) => a.attempt)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    expect(replayed.items.slice(0, n)).toEqual(attempts.items);
    expect(replayed.items[n]).toMatchObject({ httpStatus: 200, outcome: 'delivered' });
  });

  it('records a publisher that does not answer in time as a timed-out attempt, and tries again', async () => {
    const contoso = await system.client('contoso');
    const sub = await purchase(contoso, { quantity: 1 });
    receiver.behave(sub.subscriptionId, { hang: 1 });
    expect((await contoso.patch(sub.path, { body: { status: 'deleted' } })).status).toBe(200);

    const requests = await receiver.waitFor(sub.subscriptionId, (r) => r.some((request) => request.answer === 200));
    expect(requests.map((r) => r.answer)).toEqual(['hung', 200]);
    const deliveryId = await eventIdOf(sub.subscriptionId, 'Cancelled');
    const attempts = await eventually(() => attemptsOf(deliveryId), (a) => a.state === 'delivered');
    expect(attempts.items[0]).toMatchObject({ attempt: 1, httpStatus: null, error: `no response within ${TIMEOUT_MS} ms`, outcome: 'retrying' });
    expect(attempts.items[0].durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(attempts.items[1]).toMatchObject({ attempt: 2, httpStatus: 200, outcome: 'delivered' });
  });

  it("the receiver accepts only this system's tokens for its own audience", async () => {
    const keys = system.worker!.get(SigningKeys);
    const post = (token: string) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subscriptionId: 'token-check' }),
      }).then((r) => r.status);
    const forFabrikam = await keys.sign({}, { subject: 'marketplace', audience: 'fabrikam', expiresInSeconds: 60 });
    const forTailspin = await keys.sign({}, { subject: 'marketplace', audience: 'tailspin', expiresInSeconds: 60 });
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: keys.keyId, typ: 'JWT' })
      .setIssuer('marketplace-fulfillment-hub')
      .setSubject('marketplace')
      .setAudience('fabrikam')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    expect((await exportJWK(privateKey)).n).not.toBe(keys.jwks().keys[0].n);

    expect([await post(forFabrikam), await post(forTailspin), await post(forged), await post('not-a-jwt')]).toEqual([200, 401, 401, 401]);
    const checks: ReceivedRequest[] = receiver.requests('token-check');
    expect(checks.map((r) => r.verified)).toEqual([true, false, false, false]);
    expect(checks[1].verifyError).toMatch(/aud/);
    expect(checks[2].verifyError).toMatch(/signature/);
  });

  it('queues nothing for a publisher without a notification URL', async () => {
    const contoso = await system.client('contoso');
    const sub = await purchase(contoso, { offerId: 'tailspin-notes', quantity: 1 });
    expect((await contoso.patch(sub.path, { body: { status: 'deleted' } })).status).toBe(200);
    const cancelled = await eventIdOf(sub.subscriptionId, 'Cancelled');
    await system.caughtUp();

    expect(await system.queue(QUEUES.notifications).getJob(cancelled)).toBeUndefined();
    const list = await (await system.client('admin')).get(`/v1/admin/notifications?subscriptionId=${sub.subscriptionId}`);
    expect(list.body).toEqual({ totalCount: 0, items: [] });
    expect(receiver.requests(sub.subscriptionId)).toEqual([]);
  });

  it('the admin endpoints are for admins, and refuse bad input as problems', async () => {
    const admin = await system.client('admin');
    expect((await (await system.client('contoso')).get('/v1/admin/notifications')).status).toBe(403);
    expect((await new ApiClient(system.baseUrl).get('/v1/admin/notifications')).status).toBe(401);
    expect((await admin.get('/v1/admin/notifications/not-a-uuid/attempts')).status).toBe(400);
    expect((await admin.get('/v1/admin/notifications/0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10/attempts')).status).toBe(404);
    expect((await admin.get('/v1/admin/notifications?state=lost')).status).toBe(400);
    expect((await admin.get('/v1/admin/notifications?subscriptionId=42')).status).toBe(400);
    expect((await admin.get('/v1/admin/notifications?continuationToken=bogus')).status).toBe(400);

    const first = await admin.get('/v1/admin/notifications?size=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(first.body.links.next.uri);
    expect(second.body.items[0].createdAt >= first.body.items[1].createdAt).toBe(true);
    expect(second.body.items.map((d: { id: string }) => d.id)).not.toContain(first.body.items[0].id);
  });

  it('a replay of the log queues nothing twice, even for a delivery whose job is gone', async () => {
    const queue = system.queue(QUEUES.notifications);
    await eventually(() => queue.getJobCounts('waiting', 'active', 'delayed'), (c) => c.waiting + c.active + c.delayed === 0);
    const counts = await queue.getJobCounts('completed', 'failed');
    const { rows: before } = await system.db.query<{ id: string }>('SELECT id FROM notification_deliveries ORDER BY id');
    const posted = receiver.requests().length;
    expect(before.length).toBeGreaterThanOrEqual(6);
    const gone = (await queue.getCompleted())[0];
    await gone.remove();

    await system.db.query("UPDATE projection_checkpoints SET position = '' WHERE name = $1", [REACTOR]);
    await system.caughtUp();

    expect(await queue.getJob(gone.id!)).toBeUndefined();
    expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')).toEqual({ ...counts, completed: counts.completed - 1, waiting: 0, active: 0, delayed: 0 });
    const { rows: after } = await system.db.query<{ id: string }>('SELECT id FROM notification_deliveries ORDER BY id');
    expect(after).toEqual(before);
    expect(receiver.requests()).toHaveLength(posted);
  });
});
