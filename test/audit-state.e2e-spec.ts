import { ApiClient, ApiResponse } from './support/api-client';
import { eventually } from '@mfh/testing';
import { expectProblem, purchase } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';
import { actionRequired, actionResolved, licensesAssigned, sendCallback } from './support/webhooks';

const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const MINUTE = 60_000;

/** What the partner saw after one step, and the revision (ETag) it saw it at. */
interface Seen {
  step: string;
  revision: number;
  view: Record<string, unknown>;
}

describe('Auditor API: a subscription as it stood at any revision or moment (SPEC §9)', () => {
  let system: TestSystem;
  let auditor: ApiClient;
  let contoso: ApiClient;
  let fabrikam: ApiClient;

  beforeAll(async () => {
    // Seat changes wait for the publisher's answer, which the test gives.
    system = await startSystem({ env: { OPERATION_AUTO_ACCEPT_MS: '3600000' } });
    [auditor, contoso, fabrikam] = await Promise.all([system.client('auditor'), system.client('contoso'), system.client('fabrikam')]);
  });

  afterAll(() => system.close());

  it('rebuilds exactly what the partner saw after every step of a long life, by revision and by business time', async () => {
    const seen: Seen[] = [];
    const bought = await purchase(contoso, { quantity: 5, friendlyName: 'Day one' });
    const id = bought.subscriptionId;

    async function record(step: string, until: (view: ApiResponse) => boolean = () => true): Promise<ApiResponse> {
      const response = await eventually(() => contoso.get(bought.path), until);
      expect({ step, status: response.status, settled: until(response) }).toEqual({ step, status: 200, settled: true });
      await system.caughtUp();
      // Read again once every reaction has run, so the view is the stream's latest.
      const settled = await contoso.get(bought.path);
      seen.push({ step, revision: Number(JSON.parse(settled.headers.get('etag')!)), view: settled.body });
      // The next step happens a minute later on the command clock, so every step has its own occurredAt.
      system.clock.advance(MINUTE);
      return settled;
    }

    async function patch(body: object, status = 200): Promise<ApiResponse> {
      const response = await contoso.patch(bought.path, { body });
      expect({ body, status: response.status }).toEqual({ body, status });
      return response;
    }

    const callback = async (body: Parameters<typeof sendCallback>[1], timestamp = new Date()) =>
      expect((await sendCallback(system.baseUrl, body, { timestamp })).status).toBe(202);

    const answer = async (response: ApiResponse, status: 'Success' | 'Failure') => {
      const operationId = /\/operations\/([0-9a-f-]{36})$/.exec(response.headers.get('operation-location')!)![1];
      const answered = await fabrikam.patch(`${SAAS}/${id}/operations/${operationId}?${API_VERSION}`, { body: { status } });
      expect(answered.status).toBe(200);
    };

    await record('purchased');
    await patch({ friendlyName: 'Renamed once' });
    await record('renamed');
    await patch({ quantity: 8 });
    await record('seats changed before billing');
    await patch({ autoRenewEnabled: false });
    await record('auto-renew off');
    await patch({ autoRenewEnabled: true });
    await record('auto-renew on');
    await patch({ partnerId: '1234567' });
    await record('indirect reseller set');
    await patch({ partnerId: null });
    await record('indirect reseller removed');
    await patch({ friendlyName: 'Renamed twice', autoRenewEnabled: false, partnerId: '7654321' });
    await record('three changes in one request');
    expect((await fabrikam.post(`${SAAS}/${id}/activate?${API_VERSION}`, { body: { planId: 'standard', quantity: 8 } })).status).toBe(200);
    await record('fulfilment confirmed');
    await callback(licensesAssigned(id, 8));
    await record('licenses assigned, billing started', (r) => r.body.status === 'active');
    await answer(await patch({ quantity: 12 }, 202), 'Success');
    await record('seat change accepted', (r) => r.body.quantity === 12);
    const waiting = await patch({ quantity: 3 }, 202);
    await record('seat change waiting', (r) => (r.body.pendingOperations as unknown[]).length === 1);
    await answer(waiting, 'Failure');
    await record('seat change rejected', (r) => (r.body.pendingOperations as unknown[]).length === 0);
    await callback(actionRequired(id, ['changeSeats', 'cancel'], 'Verify the tenant'), new Date(Date.now() - MINUTE));
    await record('action required', (r) => r.body.attentionNeeded === true);
    await patch({ autoRenewEnabled: true });
    await record('auto-renew on while action is needed');
    await callback(actionResolved(id));
    await record('action resolved', (r) => r.body.attentionNeeded === false);
    await patch({ friendlyName: 'Final name' });
    await record('renamed at the end');

    // The life above went through every kind of change it names.
    const history = (await auditor.get(`/v1/audit/subscriptions/${id}/events`)).body.events as { revision: number; type: string; metadata: { occurredAt: string } }[];
    expect(new Set(history.map((event) => event.type))).toEqual(
      new Set([
        'SubscriptionPurchased',
        'SubscriptionRenamed',
        'SeatsChanged',
        'AutoRenewDisabled',
        'AutoRenewEnabled',
        'IndirectResellerAssigned',
        'IndirectResellerRemoved',
        'FulfillmentConfirmed',
        'PublisherActivated',
        'BillingStarted',
        'SeatChangeRequested',
        'SeatChangeRejected',
        'PublisherActionRequired',
        'PublisherActionResolved',
      ]),
    );
    expect(seen.map((s) => s.revision)).toEqual([...new Set(seen.map((s) => s.revision))]);
    expect(seen.at(-1)!.revision).toBe(history.at(-1)!.revision);
    const occurredAt = (revision: number) => history[revision].metadata.occurredAt;

    for (const [index, { step, revision, view }] of seen.entries()) {
      // An activation link carries an authorization code issued at read time; history issues none.
      const expected = { ...view, activationLink: null };
      if (view.status === 'pending') expect(view.activationLink).toEqual(expect.any(String));

      const byRevision = await auditor.get(`/v1/audit/subscriptions/${id}/state?revision=${revision}`);
      expect({ step, status: byRevision.status, body: byRevision.body }).toEqual({
        step,
        status: 200,
        body: {
          subscriptionId: id,
          revision,
          occurredAt: occurredAt(revision),
          recordedAt: expect.any(String),
          asOf: null,
          subscription: expected,
        },
      });

      const moments = [occurredAt(revision)];
      const next = seen[index + 1];
      // The last moment before the next step's first event: still this step's state.
      if (next) moments.push(new Date(Date.parse(occurredAt(revision + 1)) - 1).toISOString());
      // The same instant written with an offset.
      moments.push(withOffset(occurredAt(revision)));
      for (const asOf of moments) {
        const byTime = await auditor.get(`/v1/audit/subscriptions/${id}/state?asOf=${encodeURIComponent(asOf)}`);
        expect({ step, asOf, status: byTime.status, revision: byTime.body.revision, asked: byTime.body.asOf, subscription: byTime.body.subscription }).toEqual({
          step,
          asOf,
          status: 200,
          revision,
          asked: asOf,
          subscription: expected,
        });
      }
    }

    // Every revision replays, including those no step stopped at (licenses assigned, before billing started).
    for (const { revision } of history) {
      const response = await auditor.get(`/v1/audit/subscriptions/${id}/state?revision=${revision}`);
      expect({ revision, status: response.status, at: response.body.revision }).toEqual({ revision, status: 200, at: revision });
    }
    const beforePurchase = new Date(Date.parse(occurredAt(0)) - 1).toISOString();
    expectProblem(await auditor.get(`/v1/audit/subscriptions/${id}/state?asOf=${beforePurchase}`), 404);
    const later = await auditor.get(`/v1/audit/subscriptions/${id}/state?asOf=${new Date(Date.parse(occurredAt(history.length - 1)) + 86_400_000).toISOString()}`);
    expect(later.body).toMatchObject({ revision: history.length - 1, subscription: { ...seen.at(-1)!.view, activationLink: null } });
  });

  it('stops at the first event that occurred after asOf, even when a later revision carries an earlier clock', async () => {
    const bought = await purchase(contoso);
    system.clock.advance(MINUTE);
    // Two commands decided on different clocks and stored in the opposite order, as concurrent requests can be.
    const late = await contoso.patch(bought.path, { body: { friendlyName: 'Decided later' } });
    system.clock.advance(-MINUTE / 2);
    const early = await contoso.patch(bought.path, { body: { friendlyName: 'Decided earlier' } });
    system.clock.advance(MINUTE / 2);
    expect([late.status, early.status]).toEqual([200, 200]);
    const history = (await auditor.get(`/v1/audit/subscriptions/${bought.subscriptionId}/events`)).body.events;
    const [, renamedLate, renamedEarly] = history.map((event: { metadata: { occurredAt: string } }) => Date.parse(event.metadata.occurredAt));
    expect(renamedEarly).toBeLessThan(renamedLate);

    const asOf = new Date(renamedEarly).toISOString();
    const state = await auditor.get(`/v1/audit/subscriptions/${bought.subscriptionId}/state?asOf=${asOf}`);
    // Revision 2 occurred by then but applies on top of revision 1, which had not: the state that really existed is revision 0's.
    expect(state.body).toMatchObject({ revision: 0, subscription: { friendlyName: expect.not.stringMatching(/^Decided/) } });
  });
});

/** The same instant in UTC+02:00. */
function withOffset(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 2 * 3_600_000).toISOString();
  return `${shifted.slice(0, -1)}+02:00`;
}
