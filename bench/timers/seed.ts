/**
 * Billed-to-be subscriptions of customers on one test clock, written straight into the event store
 * by the domain's own deciders with the metadata the command path records (the clock's time as
 * `occurredAt`, `testClockId` on every event, `data.testClockId` on what the customer buys), much
 * faster than the partner and publisher APIs could set them up. Billing is left to the worker: the
 * fulfilment and the licenses make its billing reactor start each term, at the clock's time, so the
 * renewal timers an advance fires are the ones the system set itself.
 */
import { customerStream, OrderPlacedData, orderStream, purchasesOf, subscriptionStream } from '@mfh/domain';
import type { Command, Decider, DomainEvent } from '@mfh/domain';
import { customerDecider, decideAll, orderDecider, subscriptionDecider } from '@mfh/domain/deciders';
import type { EventMetadata, EventStore } from '@mfh/event-store';
import { placeOrderCommand } from '@mfh/testing';
import { randomUUID } from 'node:crypto';

/** Subscriptions per order, as bench/support/partner-api.ts buys them. */
const LINES_PER_ORDER = 16;
const HOURS_72 = 72 * 3_600_000;

export interface SeedRequest {
  testClockId: string;
  /** Where the clock stands: every decision of a customer on it happens at that time. */
  clockTime: string;
  subscriptions: number;
  /** Customers written at once. */
  writers: number;
  /** What each subscription is bought for; by default standard, P1M billed monthly, 5 seats at 12.00. */
  plan?: SeedPlan;
}

export interface SeedPlan {
  termDuration: 'P1M' | 'P1Y';
  billingCycle: 'monthly' | 'annual';
  unitPrice: string;
  cancellationWindowMs: number;
}

const MONTHLY: SeedPlan = { termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '12.00', cancellationWindowMs: HOURS_72 };

/** Writes `subscriptions` subscriptions, 16 per customer and order, and returns their ids. */
export async function seedSubscriptions(store: EventStore, request: SeedRequest): Promise<string[]> {
  const ids: string[] = [];
  let left = request.subscriptions;
  const writer = async () => {
    while (left > 0) {
      const lines = Math.min(LINES_PER_ORDER, left);
      left -= lines;
      ids.push(...(await writeCustomer(store, request, lines)));
    }
  };
  await Promise.all(Array.from({ length: request.writers }, writer));
  return ids;
}

async function writeCustomer(store: EventStore, { testClockId, clockTime, plan = MONTHLY }: SeedRequest, lines: number): Promise<string[]> {
  const partner = metadata('contoso-partner', 'partner', 'Partner', clockTime, testClockId);
  const publisher = metadata('fabrikam-publisher', 'publisher', 'Publisher', clockTime, testClockId);
  const customerId = randomUUID();
  await append(store, customerStream(customerId), customerDecider, [
    { type: 'CreateCustomer', data: { customerId, partnerId: 'contoso', companyName: 'Adatum Corporation', domain: 'adatum.com', testClockId, now: clockTime } },
  ], partner);

  const order: OrderPlacedData = {
    orderId: randomUUID(),
    customerId,
    partnerId: 'contoso',
    lineItems: Array.from({ length: lines }, (_, i) => ({
      lineItemNumber: i + 1,
      subscriptionId: randomUUID(),
      offerId: 'fabrikam-crm',
      offerName: 'Fabrikam CRM',
      planId: 'standard',
      publisherId: 'fabrikam',
      publisherName: 'Fabrikam',
      quantity: 5,
      minQuantity: 1,
      maxQuantity: 500,
      termDuration: plan.termDuration,
      billingCycle: plan.billingCycle,
      friendlyName: `seat block ${i + 1}`,
      partnerIdOnRecord: null,
      unitPrice: plan.unitPrice,
      currency: 'USD',
      cancellationWindowMs: plan.cancellationWindowMs,
    })),
    requestFingerprint: randomUUID(),
    placedAt: clockTime,
    testClockId,
  };
  const placed = await append(store, orderStream(order.orderId), orderDecider, [placeOrderCommand(order)], partner);
  const ids: string[] = [];
  for (const purchase of purchasesOf(order)) {
    const stream = subscriptionStream(purchase.data.subscriptionId);
    const bought = await append(store, stream, subscriptionDecider, [purchase], partner);
    // The publisher's side comes as a commit of its own, as it does in the system; billing is the worker's.
    await append(store, stream, subscriptionDecider, [
      { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 5, pricedPerSeat: true } },
      { type: 'RecordLicensesAssigned', data: { assignedSeats: 5 } },
    ], publisher, bought);
    ids.push(purchase.data.subscriptionId);
  }
  await append(store, orderStream(order.orderId), orderDecider, [{ type: 'CompleteOrder', data: { now: clockTime } }], partner, placed);
  return ids;
}

function metadata(actor: string, role: string, source: EventMetadata['source'], occurredAt: string, testClockId: string): EventMetadata {
  const requestId = randomUUID();
  return { actor, role, source, correlationId: requestId, causationId: requestId, requestId, occurredAt, testClockId };
}

interface Appended<S> {
  state: S;
  revision: number;
}

/** Decides the commands against the stream's state and appends what they cause in one commit, at the exact revision. */
async function append<S, C extends Command, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, C, E>,
  commands: C[],
  meta: EventMetadata,
  { state, revision }: Appended<S> = { state: decider.initialState(), revision: -1 },
): Promise<Appended<S>> {
  const events = decideAll(decider, commands, state);
  await store.appendToStream(
    streamId,
    events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as Record<string, unknown>, metadata: meta })),
    { expectedRevision: revision === -1 ? 'no_stream' : revision },
  );
  return { state: events.reduce(decider.evolve, state), revision: revision + events.length };
}
