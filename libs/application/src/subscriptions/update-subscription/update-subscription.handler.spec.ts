import { loadConfig } from '@mfh/config';
import { isDomainError, subscriptionStream } from '@mfh/domain';
import { EventStore, WrongExpectedVersionError } from '@mfh/event-store';
import { activeEvents, developmentCatalog, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { SubscriptionChanges, UpdateSubscription } from './update-subscription.command';
import { UpdateSubscriptionHandler } from './update-subscription.handler';

const NOW = '2026-03-02T12:00:00.000Z';

describe('UpdateSubscription', () => {
  let store: EventStore;
  let handler: UpdateSubscriptionHandler;
  const customerId = randomUUID();

  beforeEach(() => {
    store = inMemoryStore();
    handler = new UpdateSubscriptionHandler(new CommandExecutor(store), developmentCatalog(), loadConfig({}));
  });

  async function subscription(active = false): Promise<string> {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId }), ...(active ? activeEvents() : [])]);
    return subscriptionId;
  }

  const update = (subscriptionId: string, changes: SubscriptionChanges, options: { partnerId?: string; revision?: number } = {}) =>
    handler.execute(new UpdateSubscription(options.partnerId ?? 'contoso', customerId, subscriptionId, changes, options.revision, requestMetadata(NOW)));

  const typesOn = async (subscriptionId: string) => (await store.readStream(subscriptionStream(subscriptionId))).map((event) => event.type);

  it('applies every change of one PATCH in one append, settings before seats, with the catalog limits of the plan', async () => {
    const id = await subscription();
    const result = await update(id, { friendlyName: 'Sales CRM', autoRenewEnabled: false, partnerId: '1234567', quantity: 20 });
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed', 'IndirectResellerAssigned', 'AutoRenewDisabled', 'SeatsChanged']);
    expect(result).toMatchObject({ revision: 4, startedOperationId: null, subscription: { friendlyName: 'Sales CRM', quantity: 20 } });
  });

  it('reports the operation a seat change on an active subscription starts', async () => {
    const id = await subscription(true);
    const result = await update(id, { quantity: 20 });
    expect(result.startedOperationId).toEqual(result.subscription.operations[0].id);
    expect(result.subscription.operations[0]).toMatchObject({ action: 'ChangeQuantity', status: 'InProgress', quantity: 20 });
  });

  it('changes nothing when one change of the PATCH is refused', async () => {
    const id = await subscription();
    await expect(update(id, { friendlyName: 'Renamed', quantity: 100_000 })).rejects.toMatchObject({ code: 'quantity-out-of-range' });
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased']);
  });

  it("reports another partner's subscription as not found, and appends nothing", async () => {
    const id = await subscription();
    const refusal = await update(id, { friendlyName: 'Mine now' }, { partnerId: 'northwind' }).catch((error: unknown) => error);
    expect(isDomainError(refusal) && refusal.code).toBe('subscription-not-found');
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased']);
  });

  it('refuses a stale If-Match revision', async () => {
    const id = await subscription();
    await update(id, { friendlyName: 'Once' });
    await expect(update(id, { friendlyName: 'Twice' }, { revision: 0 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it("refuses a seat change on a plan the catalog no longer has as plan-withdrawn (409), and appends nothing", async () => {
    const id = randomUUID();
    const purchased = purchasedEvent({ subscriptionId: id, customerId });
    await given(store, subscriptionStream(id), [{ type: purchased.type, data: { ...purchased.data, planId: 'retired' } }]);
    const refusal = await update(id, { friendlyName: 'Renamed', quantity: 20 }).catch((error: unknown) => error);
    expect(isDomainError(refusal) && [refusal.code, refusal.kind]).toEqual(['plan-withdrawn', 'rule']);
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased']);
    await update(id, { friendlyName: 'Renamed' });
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed']);
  });

  it('cancels last, inside the window', async () => {
    const id = await subscription();
    const result = await update(id, { friendlyName: 'Going', status: 'deleted' });
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed', 'Cancelled']);
    expect(result.subscription.status).toBe('deleted');
  });
});
