import { eventually } from '@mfh/testing';
import type { ApiClient } from './support/api-client';
import { expectProblem, lineItem, LineItem } from './support/fixtures';
import { API_VERSION, Bought, LifeCycleSandbox, SAAS } from './support/life-cycle';
import type { TestSystem } from './support/system';
import type { WebhookReceiver } from './support/webhook-receiver';

describe('Suspension, reinstatement and grace (SPEC §13), on test clocks', () => {
  let sandbox: LifeCycleSandbox;
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let admin: ApiClient;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let fabrikam: ApiClient;

  /** Bought (fabrikam-crm standard unless the item says otherwise) for a new customer, on the clock, and billed. */
  const billed = async (testClockId: string | null, item: LineItem): Promise<Bought> =>
    sandbox.billed(await sandbox.customer('Suspenders Ltd', testClockId), lineItem(item));

  beforeAll(async () => {
    sandbox = await LifeCycleSandbox.start('suspension');
    ({ system, receiver, admin, contoso, northwind, fabrikam } = sandbox);
  }, 60_000);

  afterAll(() => sandbox?.close());

  it('suspends on the partner PATCH, refuses seat changes and charges no cycle while suspended, and cancels once the grace runs out', async () => {
    const testClockId = await sandbox.createClock('Grace', '2027-03-10T12:00:00Z');
    // A year billed monthly: 2 seats × 120.00 / 12 = 20.00 a month.
    const sub = await billed(testClockId, { termDuration: 'P1Y', billingCycle: 'monthly', quantity: 2 });
    await sandbox.advance(testClockId, '2027-03-20T12:00:00Z');

    const suspended = await contoso.patch(sub.path, { body: { status: 'suspended', suspensionReasons: ['nonpayment', 'nonpayment'] } });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', suspensionReasons: ['nonpayment'], nextChargeDate: null, currentTermCharged: '20.00' });
    const [suspend] = await sandbox.notices(sub.subscriptionId, 'Suspend');
    expect(suspend).toMatchObject({ verified: true, answer: 200 });
    expect(suspend.body).toMatchObject({
      action: 'Suspend',
      status: 'Succeeded',
      operationRequestSource: 'Partner',
      timeStamp: '2027-03-20T12:00:00.000Z',
      subscription: { id: sub.subscriptionId, saasSubscriptionStatus: 'Suspended', isTest: true },
    });
    expect((await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`)).body.saasSubscriptionStatus).toBe('Suspended');
    expect((await contoso.patch(sub.path, { body: { status: 'suspended', suspensionReasons: ['fraud'] } })).status).toBe(200);

    const before = await sandbox.typesOf(sub.subscriptionId);
    const seats = await contoso.patch(sub.path, { body: { quantity: 3 } });
    expectProblem(seats, 409);
    expect(seats.body.type).toMatch(/subscription-suspended$/);
    const publisherSeats = await fabrikam.patch(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`, { body: { quantity: 3 } });
    expect(publisherSeats.status).toBe(409);
    expect(publisherSeats.body.type).toMatch(/subscription-suspended$/);
    expect(await sandbox.typesOf(sub.subscriptionId)).toEqual(before);
    expect((await contoso.patch(sub.path, { body: { friendlyName: 'On hold' } })).status).toBe(200);

    // The second month begins on 10 April while suspended: it passes uncharged.
    await sandbox.advance(testClockId, '2027-04-15T12:00:00Z');
    const skipped = await sandbox.ofType(sub.subscriptionId, 'BillingCycleSkipped');
    expect(skipped.map((e) => e.data)).toEqual([{ cycleStart: '2027-04-10', cycleEnd: '2027-05-09', reason: 'suspended' }]);
    expect(await sandbox.ofType(sub.subscriptionId, 'BillingCycleStarted')).toEqual([]);
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'suspended', currentTermCharged: '20.00' });

    // Suspended at 2027-03-20T12:00 with 30 days' grace: cancelled on 19 April at noon, with no refund.
    await sandbox.advance(testClockId, '2027-04-19T11:59:59Z');
    expect((await contoso.get(sub.path)).body.status).toBe('suspended');
    await sandbox.advance(testClockId, '2027-04-21T00:00:00Z');
    const [cancelled] = await sandbox.ofType(sub.subscriptionId, 'Cancelled');
    expect(cancelled.data).toMatchObject({ cause: 'SuspensionGraceExpired', requestedBy: 'System', refund: null, cancelledAt: '2027-04-19T12:00:00.000Z' });
    expect(cancelled.metadata).toMatchObject({ testClockId, actor: 'test-clock' });
    const [unsubscribe] = await sandbox.notices(sub.subscriptionId, 'Unsubscribe');
    expect(unsubscribe.body).toMatchObject({ action: 'Unsubscribe', status: 'Succeeded', subscription: { saasSubscriptionStatus: 'Unsubscribed' } });
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'deleted', suspensionReasons: null, currentTermCharged: '20.00' });
  }, 90_000);

  it('reinstates when the publisher answers Success, and renews then the term that ended while suspended', async () => {
    const testClockId = await sandbox.createClock('Reinstated', '2027-05-10T12:00:00Z');
    // 3 seats × 12.00 a month; the first term is 2027-05-10 to 2027-06-09.
    const sub = await billed(testClockId, { quantity: 3 });
    // Eleven days before it is reinstated: well inside the grace.
    await sandbox.advance(testClockId, '2027-06-01T12:00:00Z');
    const suspended = await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body: { suspensionReasons: ['fraud'] } });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ id: sub.subscriptionId, status: 'suspended', suspensionReasons: ['fraud'] });
    expect((await sandbox.notices(sub.subscriptionId, 'Suspend'))[0].body.operationRequestSource).toBe('Azure');

    await sandbox.advance(testClockId, '2027-06-12T12:00:00Z');
    expect(await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed')).toEqual([]);

    const asked = await contoso.patch(sub.path, { body: { status: 'active' } });
    expect(asked.status).toBe(202);
    const operationPath = new URL(asked.headers.get('operation-location')!).pathname;
    expect(asked.body).toMatchObject({ status: 'suspended', pendingOperations: [expect.objectContaining({ action: 'Reinstate', status: 'InProgress' })] });
    const [reinstate] = await sandbox.notices(sub.subscriptionId, 'Reinstate');
    expect(reinstate.body).toMatchObject({ action: 'Reinstate', status: 'InProgress', subscription: { saasSubscriptionStatus: 'Suspended' } });
    expect((await contoso.patch(sub.path, { body: { status: 'active' } })).status).toBe(200);

    const operationId = reinstate.body.id;
    const read = await fabrikam.get(`${SAAS}/${sub.subscriptionId}/operations/${operationId}?${API_VERSION}`);
    expect(read.body).toMatchObject({ id: operationId, action: 'Reinstate', status: 'InProgress' });
    const answered = await fabrikam.patch(`${SAAS}/${sub.subscriptionId}/operations/${operationId}?${API_VERSION}`, { body: { status: 'Success' } });
    expect(answered.status).toBe(200);
    const [reinstated] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionReinstated');
    expect(reinstated.data).toEqual({ operationId, reinstatedAt: '2027-06-12T12:00:00.000Z', termEnd: '2027-06-09' });
    expect((await contoso.get(operationPath)).body).toMatchObject({ action: 'Reinstate', status: 'Succeeded' });
    expect((await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`)).body.saasSubscriptionStatus).toBe('Subscribed');

    // The renewal that came due on 10 June is due again from the reinstatement: the next advance fires it.
    await sandbox.advance(testClockId, '2027-06-12T13:00:00Z');
    const [renewed] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    expect(renewed.data).toMatchObject({ termStart: '2027-06-10', termEnd: '2027-07-09', quantity: 3, chargedAmount: '36.00', renewedAt: '2027-06-12T12:00:00.000Z' });
    await sandbox.notices(sub.subscriptionId, 'Renew');
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'active', suspensionReasons: null, commitmentEndDate: '2027-07-09', currentTermCharged: '36.00' });
    // Reinstated, the subscription takes changes again.
    expect((await contoso.patch(sub.path, { body: { quantity: 4 } })).status).toBe(202);
  }, 90_000);

  it('stays suspended when the publisher answers the Reinstate notification with a 4xx, and is reinstated after 10 s without an answer', async () => {
    const testClockId = await sandbox.createClock('Refused, then unanswered', '2027-08-01T09:00:00Z');
    const sub = await billed(testClockId, { quantity: 1 });
    expect((await contoso.patch(sub.path, { body: { status: 'suspended', suspensionReasons: ['other'] } })).status).toBe(200);
    await sandbox.notices(sub.subscriptionId, 'Suspend');
    // The Suspend notification was the first request about it; the second, the Reinstate, is refused.
    receiver.behave(sub.subscriptionId, { fail: 2, status: 400 });

    expect((await contoso.patch(sub.path, { body: { status: 'active' } })).status).toBe(202);
    const [refused] = await sandbox.notices(sub.subscriptionId, 'Reinstate');
    expect(refused.answer).toBe(400);
    const [rejected] = await eventually(() => sandbox.ofType(sub.subscriptionId, 'ReinstatementRejected'), (events) => events.length === 1);
    expect(rejected.data.operationId).toBe(refused.body.id);
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'suspended', pendingOperations: [] });

    expect((await contoso.patch(sub.path, { body: { status: 'active' } })).status).toBe(202);
    const second = (await sandbox.notices(sub.subscriptionId, 'Reinstate', 2))[1];
    expect(second.answer).toBe(200);
    await sandbox.advance(testClockId, '2027-08-01T09:00:09Z');
    expect(await sandbox.ofType(sub.subscriptionId, 'SubscriptionReinstated')).toEqual([]);
    await sandbox.advance(testClockId, '2027-08-01T09:00:11Z');
    const [reinstated] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionReinstated');
    expect(reinstated.data).toMatchObject({ operationId: second.body.id, reinstatedAt: '2027-08-01T09:00:10.000Z' });
    expect(reinstated.metadata).toMatchObject({ actor: 'test-clock' });
  }, 90_000);

  it('refuses bad suspension input and other tenants with a problem, appending nothing', async () => {
    const sub = await billed(null, { quantity: 2 });
    const pending = await contoso.post('/v1/customers', { body: { companyName: 'Pending Co' } });
    const order = await contoso.post(`/v1/customers/${pending.body.id}/orders`, { body: { lineItems: [lineItem({ quantity: 1 })] } });
    const pendingPath = `/v1/customers/${pending.body.id}/subscriptions/${order.body.lineItems[0].subscriptionId}`;
    const before = await sandbox.typesOf(sub.subscriptionId);

    for (const body of [
      { status: 'suspended' },
      { status: 'suspended', suspensionReasons: [] },
      { status: 'suspended', suspensionReasons: ['late'] },
      { status: 'suspended', suspensionReasons: 'fraud' },
      { status: 'suspended', suspensionReasons: ['fraud', 'other', 'nonpayment', 'fraud'] },
      { suspensionReasons: ['fraud'] },
      { status: 'active', suspensionReasons: ['fraud'] },
      { status: 'suspended', suspensionReasons: ['other'], quantity: 3 },
      { status: 'active', quantity: 3 },
      { status: 'paused' },
      { status: 'Suspended', suspensionReasons: ['other'] },
    ]) {
      const refused = await contoso.patch(sub.path, { body });
      expectProblem(refused, 400);
    }
    for (const body of [{}, { suspensionReasons: [] }, { suspensionReasons: 'fraud' }, { suspensionReasons: ['late'] }, { suspensionReasons: ['fraud'], extra: 1 }]) {
      expectProblem(await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body }), 400);
    }
    expectProblem(await admin.post('/v1/admin/subscriptions/not-a-uuid/suspend', { body: { suspensionReasons: ['fraud'] } }), 400);
    expectProblem(await admin.post('/v1/admin/subscriptions/3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f/suspend', { body: { suspensionReasons: ['fraud'] } }), 404);
    expectProblem(await admin.post('/v1/admin/subscriptions/3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f/reinstate'), 404);
    expectProblem(await northwind.patch(sub.path, { body: { status: 'suspended', suspensionReasons: ['fraud'] } }), 404);
    expect((await contoso.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body: { suspensionReasons: ['fraud'] } })).status).toBe(403);
    // Only billed subscriptions can be suspended, and only suspended ones reinstated.
    const notBilled = await contoso.patch(pendingPath, { body: { status: 'suspended', suspensionReasons: ['fraud'] } });
    expectProblem(notBilled, 409);
    expect(notBilled.body.type).toMatch(/subscription-not-suspendable$/);
    expect((await contoso.patch(sub.path, { body: { status: 'active' } })).status).toBe(200);
    expect(await sandbox.typesOf(sub.subscriptionId)).toEqual(before);
  }, 60_000);

  it('on the wall clock, accepts an unanswered reinstatement when its delayed job runs, and asks again for the renewal of the term it is back in', async () => {
    const sub = await billed(null, { quantity: 1 });
    expect((await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body: { suspensionReasons: ['other'] } })).status).toBe(200);
    expect((await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/reinstate`)).status).toBe(202);
    const [requested] = await sandbox.ofType(sub.subscriptionId, 'ReinstatementRequested');
    const job = await eventually(() => system.queue('operations').getJob(requested.id), (found) => found !== undefined);
    expect(job!.data).toMatchObject({ subscriptionId: sub.subscriptionId, operationId: requested.data.operationId });
    await job!.promote();
    expect((await system.finishedJob('operations', requested.id)).returnvalue).toBe('accepted');
    const [reinstated] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionReinstated');
    expect(reinstated.metadata).toMatchObject({ source: 'System' });
    const renewal = await eventually(() => system.queue('renewals').getJob(reinstated.id), (found) => found !== undefined);
    expect(renewal!.data).toMatchObject({ subscriptionId: sub.subscriptionId, termEnd: reinstated.data.termEnd });
  }, 60_000);

  it('lets a suspended subscription be cancelled inside its window, with the refund of its term, and on the wall clock times its grace', async () => {
    const sub = await billed(null, { quantity: 2 });
    expect((await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body: { suspensionReasons: ['nonpayment'] } })).status).toBe(200);
    const [suspended] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionSuspended');
    expect(Date.parse(suspended.data.graceEndsAt) - Date.parse(suspended.data.suspendedAt)).toBe(30 * 86_400_000);
    // The wall clock's grace is a delayed job, due when the grace ends.
    const job = await eventually(() => system.queue('suspensions').getJob(suspended.id), (found) => found !== undefined);
    expect(job!.data).toMatchObject({ subscriptionId: sub.subscriptionId, suspensionOperationId: suspended.data.operationId });
    expect(job!.timestamp + job!.opts.delay!).toBeGreaterThanOrEqual(Date.parse(suspended.data.graceEndsAt) - 5_000);

    const cancelled = await contoso.patch(sub.path, { body: { status: 'deleted' } });
    expect(cancelled.status).toBe(200);
    const [event] = await sandbox.ofType(sub.subscriptionId, 'Cancelled');
    expect(event.data).toMatchObject({ requestedBy: 'Partner', refund: { amount: '24.00', currency: 'USD' } });
    expect(event.data.cause).toBeUndefined();
  }, 60_000);
});
