import { ActivationCodes, SecretStore } from '@mfh/auth';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { SubscriptionsRepository } from '@mfh/read-models';
import { activeEvents, developmentCatalog, eventually, given, invoiceLine, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ActivationLinks } from '../../activation/activation-links';
import { GetSubscription } from './get-subscription.query';
import { GetSubscriptionHandler } from './get-subscription.handler';
import { StreamStates } from '../../stream-states';

describe('GetSubscription', () => {
  let fixture: ReadModelsFixture;
  let store: EventStore;
  let handler: GetSubscriptionHandler;
  let subscriptions: SubscriptionsRepository;
  const customerId = randomUUID();

  beforeAll(async () => {
    fixture = await readModelsFixture();
    store = fixture.store;
    const config = loadConfig({ ACTIVATION_CODE_SECRET: 'a'.repeat(40) });
    const codes = new ActivationCodes(config, {} as SecretStore);
    await codes.onModuleInit();
    subscriptions = new SubscriptionsRepository(fixture.pool);
    handler = new GetSubscriptionHandler(new StreamStates(store), new ActivationLinks(codes, developmentCatalog(), config), subscriptions);
  });

  afterAll(async () => {
    await subscriptions.close();
    await fixture.close();
  });

  async function subscription(events: { type: string; data: object }[] = []): Promise<string> {
    const id = randomUUID();
    await given(store, subscriptionStream(id), [purchasedEvent({ subscriptionId: id, customerId }), ...events]);
    return id;
  }

  const get = (id: string, partnerId = 'contoso') => handler.execute(new GetSubscription(partnerId, customerId, id));

  it("shows a pending subscription with the publisher's activation link and as needing the partner's attention (SPEC §4)", async () => {
    const id = await subscription();
    const { subscription: view, revision } = await get(id);
    expect(revision).toBe(0);
    expect(view).toMatchObject({ id, customerId, status: 'pending', attentionNeeded: true, actionNeeded: null, quantity: 12, fulfillmentConfirmed: false });
    expect(view.activationLink).toMatch(/^http:\/\/localhost:4000\/landing\?token=/);
  });

  it('needs no attention once active, and has no activation link', async () => {
    const id = await subscription(activeEvents());
    expect(await get(id)).toMatchObject({
      revision: 3,
      subscription: { status: 'active', attentionNeeded: false, activationLink: null, billingStartDate: '2026-03-02', commitmentEndDate: '2026-04-01' },
    });
  });

  it('shows when the next charge falls, and what the charges recorded for the term sum to once projected', async () => {
    const id = await subscription(activeEvents());
    expect((await get(id)).subscription).toMatchObject({ nextChargeDate: '2026-04-02', currentTermCharged: '0.00' });
    const line = invoiceLine({ subscriptionId: id, partnerId: 'contoso', termStartDate: '2026-03-02', amount: 14400 });
    await given(store, 'invoice-contoso-2026-03-USD', [
      { type: 'ChargeRecorded', data: line },
      { type: 'ChargeRecorded', data: { ...line, id: `${line.referenceId}/charge/1`, index: 1, amount: -2500 } },
    ]);
    await fixture.project();
    // The charges kept from the first read are dropped once the projection's announcement arrives.
    const view = await eventually(() => get(id), ({ subscription }) => subscription.currentTermCharged === '119.00', 5_000);
    expect(view.subscription).toMatchObject({ nextChargeDate: '2026-04-02', currentTermCharged: '119.00' });
  });

  it("needs attention while the publisher's action is open, and shows it", async () => {
    const action = { reason: 'Verify the tenant', url: 'https://fabrikam.example/verify', blockedOperations: ['cancel'], signedAt: '2026-03-02T10:00:00.000Z' };
    const id = await subscription([...activeEvents(), { type: 'PublisherActionRequired', data: action }]);
    expect((await get(id)).subscription).toMatchObject({
      attentionNeeded: true,
      actionNeeded: { reason: 'Verify the tenant', url: 'https://fabrikam.example/verify', blockedOperations: ['cancel'] },
    });
  });

  it('shows the state a command just left without reading the stream again', async () => {
    const id = await subscription();
    const { subscription: stored } = await get(id);
    const { state } = await loadState(store, subscriptionStream(id), subscriptionDecider);
    if (state.status === 'none') throw new Error('no subscription');
    const read = jest.spyOn(store, 'readStream');
    const known = await handler.execute(new GetSubscription('contoso', customerId, id, { subscription: { ...state, friendlyName: 'Just renamed' }, revision: 1 }));
    expect(read).not.toHaveBeenCalled();
    expect(known).toEqual({ revision: 1, subscription: { ...stored, friendlyName: 'Just renamed' } });
  });

  it('checks tenancy on the state it is handed too', async () => {
    const id = await subscription();
    const { state } = await loadState(store, subscriptionStream(id), subscriptionDecider);
    if (state.status === 'none') throw new Error('no subscription');
    await expect(handler.execute(new GetSubscription('northwind', customerId, id, { subscription: state, revision: 0 }))).rejects.toMatchObject({
      code: 'subscription-not-found',
    });
  });

  it("reports another partner's subscription as not found", async () => {
    await expect(get(await subscription(), 'northwind')).rejects.toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
  });

  it('reports a subscription that does not exist as not found', async () => {
    await expect(get(randomUUID())).rejects.toMatchObject({ code: 'subscription-not-found' });
  });
});
