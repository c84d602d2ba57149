import { ActivationCodes, SecretStore } from '@mfh/auth';
import { loadConfig } from '@mfh/config';
import { customerStream, ExistingSubscription, invoiceStream, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { loadState } from '@mfh/event-store';
import { InvalidContinuationTokenError, PartnerSubscriptionView, partnerSubscriptionView, SubscriptionsRepository } from '@mfh/read-models';
import { activeEvents, developmentCatalog, given, invoiceLine, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
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

  const list = async (partnerId = 'contoso', page: { size: number; continuationToken?: string | null } = { size: 10 }) => {
    const listed = await handler.execute(new ListCustomerSubscriptions(partnerId, customerId, page));
    return { ...listed, items: listed.items.map((json) => JSON.parse(json) as PartnerSubscriptionView) };
  };

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

  it('shows a row changed since the last list as it is now, and an unchanged one as before', async () => {
    const before = await list();
    await given(fixture.store, subscriptionStream(active), [{ type: 'SubscriptionRenamed', data: { friendlyName: 'Renamed since', previousFriendlyName: 'CRM for Fabrikam' } }]);
    await fixture.project();
    const after = await list();
    const { state } = await loadState(fixture.store, subscriptionStream(active), subscriptionDecider);
    expect(after.items.find((view) => view.id === active)).toEqual(partnerSubscriptionView(state as ExistingSubscription, () => null));
    expect(after.items.find((view) => view.id === active)?.friendlyName).toBe('Renamed since');
    expect(after.items.find((view) => view.id === pending)).toEqual(before.items.find((view) => view.id === pending));
  });

  it('shows a charge recorded since the last list, which changes the row but not its stream', async () => {
    const before = await list();
    expect(before.items.find((view) => view.id === active)?.currentTermCharged).toBe('0.00');
    const line = invoiceLine({ subscriptionId: active, partnerId: 'contoso', termStartDate: '2026-03-02', amount: 3600 });
    await given(fixture.store, invoiceStream(line.invoiceId), [{ type: 'ChargeRecorded', data: line }]);
    await fixture.project();
    expect((await list()).items.find((view) => view.id === active)?.currentTermCharged).toBe('36.00');
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
