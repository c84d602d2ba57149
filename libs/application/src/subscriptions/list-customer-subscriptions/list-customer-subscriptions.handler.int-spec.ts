import { ActivationCodes, SecretStore } from '@mfh/auth';
import { loadConfig } from '@mfh/config';
import { customerStream, ExistingSubscription, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { loadState } from '@mfh/event-store';
import { InvalidContinuationTokenError, partnerSubscriptionView, SubscriptionsRepository } from '@mfh/read-models';
import { activeEvents, developmentCatalog, given, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ActivationLinks } from '../../activation/activation-links';
import { ListCustomerSubscriptions } from './list-customer-subscriptions.query';
import { ListCustomerSubscriptionsHandler } from './list-customer-subscriptions.handler';
import { StreamStates } from '../../stream-states';

describe('ListCustomerSubscriptions', () => {
  let fixture: ReadModelsFixture;
  let handler: ListCustomerSubscriptionsHandler;
  const customerId = randomUUID();
  const [pending, active] = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    fixture = await readModelsFixture();
    const config = loadConfig({ ACTIVATION_CODE_SECRET: 'a'.repeat(40) });
    const codes = new ActivationCodes(config, {} as SecretStore);
    await codes.onModuleInit();
    handler = new ListCustomerSubscriptionsHandler(new StreamStates(fixture.store), new SubscriptionsRepository(fixture.pool), new ActivationLinks(codes, developmentCatalog(), config));
    await given(fixture.store, customerStream(customerId), [
      { type: 'CustomerCreated', data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: null, createdAt: '2026-03-01T09:00:00.000Z' } },
    ]);
    await given(fixture.store, subscriptionStream(pending), [purchasedEvent({ subscriptionId: pending, customerId })]);
    await given(fixture.store, subscriptionStream(active), [purchasedEvent({ subscriptionId: active, customerId, quantity: 3 }), ...activeEvents(3)]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  const list = (partnerId = 'contoso', page: { size: number; continuationToken?: string | null } = { size: 10 }) =>
    handler.execute(new ListCustomerSubscriptions(partnerId, customerId, page));

  it('lists the customer’s subscriptions as the partner sees each one, with an activation link only while pending', async () => {
    const page = await list();
    expect(page.totalCount).toBe(2);
    expect(page.continuationToken).toBeNull();
    for (const view of page.items) {
      const { state } = await loadState(fixture.store, subscriptionStream(view.id), subscriptionDecider);
      expect(view).toEqual(partnerSubscriptionView(state as ExistingSubscription, () => view.activationLink));
    }
    const byId = new Map(page.items.map((view) => [view.id, view]));
    expect(byId.get(pending)).toMatchObject({ status: 'pending', attentionNeeded: true, activationLink: expect.stringMatching(/^http:\/\/localhost:4000\/landing\?token=/) });
    expect(byId.get(active)).toMatchObject({ status: 'active', attentionNeeded: false, activationLink: null });
  });

  it('pages with a continuation token, and refuses a token that is not one of its own', async () => {
    const first = await list('contoso', { size: 1 });
    expect(first.items).toHaveLength(1);
    const second = await list('contoso', { size: 1, continuationToken: first.continuationToken });
    expect([...first.items, ...second.items].map((view) => view.id).sort()).toEqual([pending, active].sort());
    await expect(list('contoso', { size: 1, continuationToken: 'not-a-token' })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
  });

  it.each([
    ["another partner's customer", 'northwind'],
    ['a customer that does not exist', 'contoso', randomUUID()],
  ])('reports %s as not found', async (_case, partnerId, otherCustomer = customerId) => {
    await expect(handler.execute(new ListCustomerSubscriptions(partnerId, otherCustomer, { size: 10 }))).rejects.toMatchObject({
      code: 'customer-not-found',
      kind: 'not-found',
    });
  });
});
