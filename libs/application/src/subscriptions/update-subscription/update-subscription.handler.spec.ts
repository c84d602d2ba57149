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

  describe('changes at renewal (scheduledNextTermInstructions)', () => {
    const scheduledOn = async (subscriptionId: string) => (await store.readStream(subscriptionStream(subscriptionId))).filter((e) => e.type === 'NextTermScheduled').map((e) => e.data);

    it('checks them against the catalog and locks the new plan’s price for the term', async () => {
      const id = await subscription(true);
      const result = await update(id, { scheduledNextTermInstructions: { planId: 'enterprise', quantity: 12 } });
      expect(await scheduledOn(id)).toEqual([{ planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00', scheduledAt: NOW }]);
      expect(result).toMatchObject({ startedOperationId: null, subscription: { scheduledNextTerm: { planId: 'enterprise', quantity: 12 } } });
      await update(id, { scheduledNextTermInstructions: { planId: 'enterprise', quantity: 12, termDuration: 'P1M' } });
      expect(await scheduledOn(id)).toHaveLength(1);
    });

    it('prices a year from the catalog, billed as the offer sells it', async () => {
      const id = await subscription(true);
      await update(id, { scheduledNextTermInstructions: { termDuration: 'P1Y', billingCycle: 'annual' } });
      expect(await scheduledOn(id)).toEqual([expect.objectContaining({ planId: 'standard', quantity: 12, termDuration: 'P1Y', billingCycle: 'annual', unitPrice: '120.00' })]);
    });

    it.each([
      [{ planId: 'premium' }, 'plan-not-available', '/scheduledNextTermInstructions/planId'],
      [{ planId: 'enterprise', quantity: 5 }, 'quantity-out-of-range', '/scheduledNextTermInstructions/quantity'],
      [{ termDuration: 'P2Y' as const }, 'unavailable-term', '/scheduledNextTermInstructions/termDuration'],
      [{ termDuration: 'P1Y' as const, billingCycle: 'upfront' as const }, 'unavailable-billing-cycle', '/scheduledNextTermInstructions/billingCycle'],
      [{ billingCycle: 'annual' as const }, 'invalid-billing-cycle', '/scheduledNextTermInstructions/billingCycle'],
    ])('refuses %j as %s, pointing at %s, and appends nothing of the PATCH', async (instructions, code, pointer) => {
      const id = await subscription(true);
      const refusal = await update(id, { friendlyName: 'Renamed', scheduledNextTermInstructions: instructions }).catch((error: unknown) => error);
      expect(isDomainError(refusal) && [refusal.code, refusal.kind, refusal.extensions.pointer]).toEqual([code, 'validation', pointer]);
      expect(await typesOn(id)).toEqual(['SubscriptionPurchased', 'PublisherActivated', 'FulfillmentConfirmed', 'BillingStarted']);
    });

    it('needs auto-renew on: turned on in the same PATCH it works, turned off in it the PATCH is refused whole', async () => {
      const id = await subscription(true);
      await update(id, { autoRenewEnabled: false });
      const refusal = await update(id, { friendlyName: 'Renamed', scheduledNextTermInstructions: { quantity: 20 } }).catch((error: unknown) => error);
      expect(isDomainError(refusal) && [refusal.code, refusal.kind]).toEqual(['next-term-needs-auto-renew', 'rule']);
      await update(id, { autoRenewEnabled: true, scheduledNextTermInstructions: { quantity: 20 } });
      expect((await typesOn(id)).slice(-2)).toEqual(['AutoRenewEnabled', 'NextTermScheduled']);
      const before = await typesOn(id);
      await expect(update(id, { autoRenewEnabled: false, scheduledNextTermInstructions: { quantity: 20 } })).rejects.toMatchObject({ code: 'next-term-needs-auto-renew' });
      expect(await typesOn(id)).toEqual(before);
    });

    it('clears them on null, on turning auto-renew off, and with a seat change', async () => {
      const id = await subscription(true);
      await update(id, { scheduledNextTermInstructions: { quantity: 20 } });
      await update(id, { scheduledNextTermInstructions: null });
      await update(id, { scheduledNextTermInstructions: null });
      await update(id, { scheduledNextTermInstructions: { quantity: 20 } });
      await update(id, { autoRenewEnabled: false });
      await update(id, { autoRenewEnabled: true, scheduledNextTermInstructions: { quantity: 20 } });
      const result = await update(id, { quantity: 15 });
      const cleared = (await store.readStream(subscriptionStream(id))).filter((e) => e.type === 'NextTermScheduleCleared').map((e) => e.data.reason);
      expect(cleared).toEqual(['Requested', 'AutoRenewDisabled', 'SeatChange']);
      expect(result.subscription.scheduledNextTerm).toBeNull();
    });
  });

  it('cancels last, inside the window', async () => {
    const id = await subscription();
    const result = await update(id, { friendlyName: 'Going', status: 'deleted' });
    expect(await typesOn(id)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed', 'Cancelled']);
    expect(result.subscription.status).toBe('deleted');
  });
});
