import { QUEUES } from '@mfh/messaging';
import { eventually } from '@mfh/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ApiClient } from './support/api-client';
import { lineItem } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';
import { licensesAssigned, sendCallback } from './support/webhooks';
import { ReceivedRequest, WebhookReceiver } from './support/webhook-receiver';

const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const DAY = 86_400_000;
const AUTO_ACCEPT_MS = 10_000;

interface AuditedEvent {
  id: string;
  revision: number;
  type: string;
  data: any;
  metadata: any;
  recordedAt: string;
}

interface Bought {
  customerId: string;
  subscriptionId: string;
  path: string;
}

/** The development catalog with fabrikam notified at the receiver. */
function catalogNotifying(dir: string, notificationUrl: string): string {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '..', 'config/catalog.development.json'), 'utf8'));
  catalog.publishers.find((p: { id: string }) => p.id === 'fabrikam').notificationUrl = notificationUrl;
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

/** The calendar day after a `YYYY-MM-DD` date. */
const dayAfter = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

/** The last day of the month `months` after the one `from` is in, at noon UTC. */
const monthEndNoon = (from: string, months: number): string => {
  const start = new Date(from);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months + 1, 0, 12)).toISOString();
};

describe('Test clocks: a whole year in seconds (SPEC §14)', () => {
  let receiver: WebhookReceiver;
  let system: TestSystem;
  let dir: string;
  let admin: ApiClient;
  let contoso: ApiClient;
  let fabrikam: ApiClient;
  let auditor: ApiClient;

  /** Bought and billed on the wall clock, before any clock moves; its history as it stood then. */
  let wall: Bought & { billingStarted: AuditedEvent; history: AuditedEvent[] };
  /** On its own clock: a billed subscription whose seat change the partner asked for in beforeAll. */
  let seats: Bought & { testClockId: string; operationPath: string; askedAtWall: number };

  async function createClock(name: string, frozenTime: string): Promise<string> {
    const created = await admin.post('/v1/admin/test-clocks', { body: { name, frozenTime } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, frozenTime: new Date(frozenTime).toISOString(), status: 'ready' });
    return created.body.id;
  }

  /** One advance, waited for until the clock reads `ready` at its target. */
  async function advance(testClockId: string, frozenTime: string): Promise<void> {
    const target = new Date(frozenTime).toISOString();
    const asked = await admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime } });
    expect({ status: asked.status, body: asked.body }).toEqual({ status: 202, body: expect.objectContaining({ status: 'advancing', advancingTo: target }) });
    const clock = await eventually(() => admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body.status === 'ready', 30_000);
    expect(clock.body).toMatchObject({ status: 'ready', frozenTime: target, advancingTo: null });
  }

  async function customer(companyName: string, testClockId?: string): Promise<string> {
    const created = await contoso.post('/v1/customers', { body: { companyName, ...(testClockId ? { testClockId } : {}) } });
    expect(created.status).toBe(201);
    expect(created.body.testClockId).toBe(testClockId);
    return created.body.id;
  }

  async function eventsOf(subscriptionId: string): Promise<AuditedEvent[]> {
    const response = await auditor.get(`/v1/audit/subscriptions/${subscriptionId}/events`);
    expect(response.status).toBe(200);
    return response.body.events;
  }

  const ofType = (events: AuditedEvent[], type: string) => events.filter((e) => e.type === type);

  /**
   * Bought by contoso (fabrikam-crm standard, P1M billed monthly) and activated the real way: the
   * publisher resolves the code of the partner's activation link, activates, and reports the licenses
   * in a signed callback. Resolves with the BillingStarted that follows.
   */
  async function billed(customerId: string, quantity: number): Promise<Bought & { billingStarted: AuditedEvent }> {
    const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem({ quantity })] } });
    expect(order.status).toBe(201);
    const subscriptionId: string = order.body.lineItems[0].subscriptionId;
    const path = `/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
    const token = new URL((await contoso.get(path)).body.activationLink).searchParams.get('token')!;

    const resolved = await fabrikam.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': token } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: subscriptionId, planId: 'standard', quantity });
    const activated = await fabrikam.post(`${SAAS}/${subscriptionId}/activate?${API_VERSION}`, { body: { planId: resolved.body.planId, quantity: resolved.body.quantity } });
    expect(activated.status).toBe(200);
    expect((await sendCallback(system.baseUrl, licensesAssigned(subscriptionId, quantity))).status).toBe(202);

    const events = await eventually(() => eventsOf(subscriptionId), (e) => ofType(e, 'BillingStarted').length > 0);
    expect(events.map((e) => e.type)).toEqual(['SubscriptionPurchased', 'FulfillmentConfirmed', 'PublisherActivated', 'BillingStarted']);
    await eventually(() => contoso.get(path), (r) => r.body.status === 'active');
    return { customerId, subscriptionId, path, billingStarted: ofType(events, 'BillingStarted')[0] };
  }

  /** The Renew notifications the receiver got about a subscription, once every renewal's delivery job has finished. */
  async function renewNotices(subscriptionId: string, renewals: AuditedEvent[]): Promise<ReceivedRequest[]> {
    // A delivery's id (and its job's) is the id of the event it notifies.
    for (const renewal of renewals) expect((await system.finishedJob(QUEUES.notifications, renewal.id)).returnvalue).toEqual({ attempt: 1, httpStatus: 200 });
    return receiver.requests(subscriptionId).filter((r) => r.body?.action === 'Renew');
  }

  /**
   * Twelve renewals in order, each at the instant after its term's last day (in the clock's time),
   * each term starting the day after the one before; and twelve signed Renew notifications, received
   * in the same order, each for its renewal.
   */
  async function expectAYearOfRenewals(sub: Bought & { billingStarted: AuditedEvent }, testClockId: string): Promise<void> {
    const events = await eventsOf(sub.subscriptionId);
    const renewals = ofType(events, 'SubscriptionRenewed');
    expect(renewals).toHaveLength(12);
    expect(ofType(events, 'SubscriptionExpired')).toEqual([]);

    let previous = sub.billingStarted;
    for (const renewal of renewals) {
      const due = `${dayAfter(previous.data.termEnd)}T00:00:00.000Z`;
      expect(renewal.revision).toBeGreaterThan(previous.revision);
      expect({ termStart: renewal.data.termStart, occurredAt: renewal.metadata.occurredAt, renewedAt: renewal.data.renewedAt }).toEqual({
        termStart: dayAfter(previous.data.termEnd),
        occurredAt: due,
        renewedAt: due,
      });
      expect(renewal.metadata).toMatchObject({ testClockId, actor: 'test-clock', source: 'System' });
      const days = (Date.parse(renewal.data.termEnd) - Date.parse(renewal.data.termStart)) / DAY + 1;
      expect(days).toBeGreaterThanOrEqual(28);
      expect(days).toBeLessThanOrEqual(31);
      previous = renewal;
    }

    const notices = await renewNotices(sub.subscriptionId, renewals);
    expect(notices.map((n) => n.body.id)).toEqual(renewals.map((r) => r.data.operationId));
    notices.forEach((notice, i) => {
      const renewal = renewals[i];
      expect(notice).toMatchObject({ method: 'POST', verified: true, answer: 200, claims: expect.objectContaining({ aud: 'fabrikam' }) });
      expect(notice.body).toMatchObject({
        subscriptionId: sub.subscriptionId,
        publisherId: 'fabrikam',
        offerId: 'fabrikam-crm',
        action: 'Renew',
        status: 'Succeeded',
        operationRequestSource: 'Azure',
        timeStamp: renewal.metadata.occurredAt,
        subscription: {
          id: sub.subscriptionId,
          isTest: true,
          saasSubscriptionStatus: 'Subscribed',
          term: expect.objectContaining({ startDate: `${renewal.data.termStart}T00:00:00Z`, endDate: `${renewal.data.termEnd}T00:00:00Z` }),
        },
      });
    });
    expect(notices.map((n) => n.at)).toEqual([...notices.map((n) => n.at)].sort((a, b) => a - b));

    // Only advances fire a clock's timers: the wall clock's delayed renewal jobs were never asked for.
    for (const started of [sub.billingStarted, ...renewals]) expect(await system.queue(QUEUES.renewals).getJob(started.id)).toBeUndefined();
  }

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    dir = mkdtempSync(join(tmpdir(), 'mfh-test-clocks-year-'));
    system = await startSystem({
      env: { SANDBOX: 'true', CATALOG_FILE: catalogNotifying(dir, receiver.url), OPERATION_AUTO_ACCEPT_MS: String(AUTO_ACCEPT_MS) },
    });
    receiver.trust(`${system.baseUrl}/.well-known/jwks.json`, 'fabrikam');
    admin = await system.client('admin');
    contoso = await system.client('contoso');
    fabrikam = await system.client('fabrikam');
    auditor = await system.client('auditor');

    const wallBilled = await billed(await customer('Wall Clock Ltd'), 2);
    wall = { ...wallBilled, history: await eventsOf(wallBilled.subscriptionId) };

    // Asked for here, so that the ten wall seconds it must outlast pass while the years below run; on a
    // clock of its own, so that their advances cannot fire its auto-accept.
    const testClockId = await createClock('A seat change', '2027-06-15T10:00:00Z');
    const seatsBilled = await billed(await customer('Seat Changers Inc', testClockId), 3);
    const asked = await contoso.patch(seatsBilled.path, { body: { quantity: 7 } });
    expect(asked.status).toBe(202);
    seats = { ...seatsBilled, testClockId, operationPath: new URL(asked.headers.get('operation-location')!).pathname, askedAtWall: Date.now() };
  }, 60_000);

  afterAll(async () => {
    await system?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renews a monthly subscription twelve times when its clock is advanced a month at a time, and notifies each renewal', async () => {
    // A 31st in a leap year: the first term ends on 28 February, so the first renewal falls on the 29th.
    const start = '2028-01-31T12:00:00Z';
    const testClockId = await createClock('A year, month by month', start);
    const sub = await billed(await customer('Monthly Advances Ltd', testClockId), 4);
    expect(sub.billingStarted.metadata).toMatchObject({ occurredAt: '2028-01-31T12:00:00.000Z', testClockId });
    expect(sub.billingStarted.data).toMatchObject({ termStart: '2028-01-31', termEnd: '2028-02-28' });

    for (let month = 1; month <= 12; month++) {
      await advance(testClockId, monthEndNoon(start, month));
      // Each month-end brings exactly that month's renewal, and its notification.
      const renewals = ofType(await eventsOf(sub.subscriptionId), 'SubscriptionRenewed');
      expect(renewals).toHaveLength(month);
      await receiver.waitFor(sub.subscriptionId, (r) => r.filter((n) => n.body?.action === 'Renew').length >= month);
    }

    await expectAYearOfRenewals(sub, testClockId);
    expect(ofType(await eventsOf(sub.subscriptionId), 'SubscriptionRenewed')[0].metadata.occurredAt).toBe('2028-02-29T00:00:00.000Z');
    const saas = await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`);
    expect(saas.body).toMatchObject({ isTest: true, saasSubscriptionStatus: 'Subscribed' });
  }, 60_000);

  it('renews twelve times in order, at each term end, when its clock is advanced a whole year in one call', async () => {
    // A clock of its own: on the month-by-month clock its renewals would already have been fired one by one.
    const start = '2027-05-31T18:00:00Z';
    const testClockId = await createClock('A year at once', start);
    const sub = await billed(await customer('One Leap Corp', testClockId), 5);
    expect(sub.billingStarted.data).toMatchObject({ termStart: '2027-05-31', termEnd: '2027-06-29' });

    await advance(testClockId, '2028-05-31T18:00:00Z');

    await expectAYearOfRenewals(sub, testClockId);
    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${sub.subscriptionId}`);
    const pending = timers.body.items.filter((t: { state: string }) => t.state === 'pending');
    expect(pending).toEqual([expect.objectContaining({ kind: 'renewal', dueAt: '2028-06-29T00:00:00.000Z' })]);
    expect(timers.body.items.filter((t: { state: string }) => t.state === 'fired')).toHaveLength(12);
  }, 60_000);

  it('keeps a seat change pending past ten wall seconds, and accepts it unanswered ten seconds after the request in clock time', async () => {
    const [notice] = await receiver.waitFor(seats.subscriptionId, (r) => r.length >= 1);
    // Answered 200: the publisher neither accepts nor rejects, so only the auto-accept can finish the change.
    expect(notice.body).toMatchObject({ action: 'ChangeQuantity', status: 'InProgress', quantity: 7 });
    expect(notice.answer).toBe(200);
    const asked = (await contoso.get(seats.operationPath)).body;
    expect(asked).toMatchObject({ status: 'InProgress', quantity: 7, requestedAt: '2027-06-15T10:00:00.000Z' });
    const dueAt = new Date(Date.parse(asked.requestedAt) + AUTO_ACCEPT_MS).toISOString();

    // The point is wall time passing: the window on the wall clock must close without effect.
    const wallWindowLeft = seats.askedAtWall + AUTO_ACCEPT_MS + 1_000 - Date.now();
    if (wallWindowLeft > 0) await delay(wallWindowLeft);
    expect((await contoso.get(seats.operationPath)).body.status).toBe('InProgress');
    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${seats.subscriptionId}`);
    expect(timers.body.items).toContainEqual(expect.objectContaining({ kind: 'operation-auto-accept', state: 'pending', dueAt, operationId: asked.id }));
    // Nor is there a wall-clock job for it that would fire once the wall reaches 2027.
    await system.caughtUp();
    const [requested] = ofType(await eventsOf(seats.subscriptionId), 'SeatChangeRequested');
    expect(await system.queue(QUEUES.operations).getJob(requested.id)).toBeUndefined();

    await advance(seats.testClockId, new Date(Date.parse(asked.requestedAt) + AUTO_ACCEPT_MS - 1_000).toISOString());
    expect((await contoso.get(seats.operationPath)).body.status).toBe('InProgress');
    expect(ofType(await eventsOf(seats.subscriptionId), 'SeatsChanged')).toEqual([]);

    await advance(seats.testClockId, dueAt);
    expect((await contoso.get(seats.operationPath)).body).toMatchObject({ status: 'Succeeded', completedAt: dueAt });
    const [changed] = ofType(await eventsOf(seats.subscriptionId), 'SeatsChanged');
    expect(changed.data).toMatchObject({ operationId: asked.id, quantity: 7, previousQuantity: 3, changedAt: dueAt });
    expect(changed.metadata).toMatchObject({ occurredAt: dueAt, testClockId: seats.testClockId });
    expect((await eventually(() => contoso.get(seats.path), (r) => r.body.quantity === 7)).body.quantity).toBe(7);
  }, 60_000);

  it('leaves a wall-clock customer bought in the same run untouched by every advance', async () => {
    const events = await eventsOf(wall.subscriptionId);
    expect(events).toEqual(wall.history);
    for (const event of events) expect(event.metadata.testClockId).toBeUndefined();
    const { termStart, termEnd } = wall.billingStarted.data;
    expect(termStart).toBe(wall.billingStarted.recordedAt.slice(0, 10));
    expect(wall.billingStarted.metadata.occurredAt.slice(0, 10)).toBe(termStart);

    const saas = await fabrikam.get(`${SAAS}/${wall.subscriptionId}?${API_VERSION}`);
    expect(saas.body).toMatchObject({ isTest: false, saasSubscriptionStatus: 'Subscribed' });

    const dueAt = `${dayAfter(termEnd)}T00:00:00.000Z`;
    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${wall.subscriptionId}`);
    expect(timers.body).toEqual({
      subscriptionId: wall.subscriptionId,
      testClockId: null,
      totalCount: 1,
      items: [expect.objectContaining({ kind: 'renewal', state: 'pending', termEnd, dueAt, settledAt: null })],
    });
    expect(Date.parse(dueAt)).toBeGreaterThan(Date.now() + 27 * DAY);
    // Its renewal waits on the wall clock: a delayed job due at that real instant.
    const job = (await system.queue(QUEUES.renewals).getJob(wall.billingStarted.id))!;
    expect(await job.getState()).toBe('delayed');
    expect(Math.abs(job.timestamp + job.opts.delay! - Date.parse(dueAt))).toBeLessThan(5_000);
    expect(receiver.requests(wall.subscriptionId)).toEqual([]);

    // Nothing else happened on the wall clock either: every other subscription event of the run was decided on a test clock.
    const { rows } = await system.db.query<{ count: string }>(
      "SELECT count(*) FROM events WHERE stream_id LIKE 'subscription-%' AND stream_id <> $1 AND NOT (metadata ? 'testClockId')",
      [`subscription-${wall.subscriptionId}`],
    );
    expect(Number(rows[0].count)).toBe(0);
  });
});
