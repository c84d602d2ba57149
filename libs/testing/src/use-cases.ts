import { loadCatalog, parseCatalog, PlanEntry } from '@mfh/config';
import { DomainError, SubscriptionEvent } from '@mfh/domain';
import { EventMetadata, EventStore, InMemoryEventStore, JsonObject } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';

/** The development catalog, as `npm start` runs it. */
export const developmentCatalog = () => loadCatalog(resolve(__dirname, '../../../config/catalog.development.json'));

/** The development catalog with one more plan in the CRM offer: `plan` overrides its `standard` plan. */
export function catalogWithPlan(plan: Partial<PlanEntry> & { id: string }) {
  const file = structuredClone(developmentCatalog().file);
  file.offers[0].plans.push({ ...file.offers[0].plans[0], name: plan.id, ...plan });
  return parseCatalog(file);
}

/** The domain refusal a promise ends in; anything else (success included) fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; kind: string; message: string }> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (thrown: unknown) => thrown,
  );
  if (error instanceof DomainError) return { code: error.code, kind: error.kind, message: error.message };
  throw error;
}

export const requestMetadata = (occurredAt: string, actor = 'contoso-partner'): EventMetadata => ({
  actor,
  role: 'partner',
  source: 'Partner',
  correlationId: randomUUID(),
  causationId: randomUUID(),
  requestId: randomUUID(),
  occurredAt,
});

type PurchasedData = Extract<SubscriptionEvent, { type: 'SubscriptionPurchased' }>['data'];

/** A monthly Fabrikam CRM standard subscription of contoso's customer, as stored (SPEC fixtures); `fields` override. */
export function purchasedEvent(fields: Partial<PurchasedData> = {}): SubscriptionEvent {
  return {
    type: 'SubscriptionPurchased',
    data: {
      subscriptionId: randomUUID(),
      customerId: randomUUID(),
      partnerId: 'contoso',
      orderId: randomUUID(),
      lineItemNumber: 1,
      offerId: 'fabrikam-crm',
      offerName: 'Fabrikam CRM',
      planId: 'standard',
      publisherId: 'fabrikam',
      publisherName: 'Fabrikam',
      quantity: 12,
      termDuration: 'P1M',
      billingCycle: 'monthly',
      friendlyName: 'CRM',
      indirectResellerId: null,
      autoRenewEnabled: true,
      unitPrice: '12.00',
      currency: 'USD',
      purchasedAt: '2026-03-01T10:00:00.000Z',
      cancellationAllowedUntil: '2026-03-04T10:00:00.000Z',
      ...fields,
    },
  };
}

/** Licenses assigned, fulfilment confirmed, billing started on 2026-03-02. */
export const activeEvents = (quantity = 12): SubscriptionEvent[] => [
  { type: 'PublisherActivated', data: { assignedSeats: quantity } },
  { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity } },
  {
    type: 'BillingStarted',
    data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '144.00' },
  },
];

/** Stores events on a stream as if earlier commands had appended them. */
export async function given(store: EventStore, stream: string, events: readonly SubscriptionEvent[] | readonly { type: string; data: object }[]): Promise<void> {
  await store.appendToStream(
    stream,
    events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata: requestMetadata('2026-03-01T10:00:00.000Z') as unknown as JsonObject })),
    { expectedRevision: 'any' },
  );
}

export const inMemoryStore = (): EventStore => new InMemoryEventStore();
