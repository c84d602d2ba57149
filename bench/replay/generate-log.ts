/**
 * Fills an event store with a log the real system could have written: customers, orders of four
 * line items, and subscriptions that each go through a life of renames, seat changes, auto-renew
 * and reseller changes, activation, billing start and publisher actions. Every event comes from
 * the domain's deciders, with the metadata the command path records, so projections and the
 * auditor see nothing they would not see in production.
 */
import { customerStream, OrderPlacedData, orderStream, purchasesOf, SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { customerDecider, decideAll, orderDecider, subscriptionDecider } from '@mfh/domain/deciders';
import type { Command, Decider, DomainEvent } from '@mfh/domain';
import type { EventMetadata, EventStore } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { placeOrderCommand } from '@mfh/testing';

const LINES_PER_ORDER = 4;
const PARTNERS = ['contoso', 'northwind'];
const DAY_MS = 24 * 3600 * 1000;

export interface GeneratedLog {
  events: number;
  streams: number;
  subscriptions: number;
}

/** Appends customers with their orders until the log holds at least `targetEvents`; `concurrency` customers at a time. */
export async function generateLog(store: EventStore, targetEvents: number, concurrency: number, onProgress?: (events: number) => void): Promise<GeneratedLog> {
  const log: GeneratedLog = { events: 0, streams: 0, subscriptions: 0 };
  let customers = 0;
  const worker = async () => {
    while (log.events < targetEvents) {
      const n = customers++;
      const written = await writeCustomer(store, n);
      log.events += written.events;
      log.streams += written.streams;
      log.subscriptions += LINES_PER_ORDER;
      onProgress?.(log.events);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return log;
}

async function writeCustomer(store: EventStore, n: number): Promise<{ events: number; streams: number }> {
  const partnerId = PARTNERS[n % PARTNERS.length];
  const actor = `${partnerId}-partner`;
  const start = Date.UTC(2026, 0, 1) + n * 60_000;
  const customerId = randomUUID();
  const orderId = randomUUID();
  const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
  const partner = (offsetMs: number): EventMetadata => metadata(actor, 'partner', 'Partner', at(offsetMs));

  let events = 0;
  const customer = await append(store, customerStream(customerId), customerDecider, [
    { type: 'CreateCustomer', data: { customerId, partnerId, companyName: `Adatum ${n}`, domain: `adatum-${n}.example`, testClockId: null, now: at(0) } },
  ], partner(0));
  events += customer.events;

  const order: OrderPlacedData = {
    orderId,
    customerId,
    partnerId,
    lineItems: Array.from({ length: LINES_PER_ORDER }, (_, i) => ({
      lineItemNumber: i + 1,
      subscriptionId: randomUUID(),
      offerId: 'fabrikam-crm',
      offerName: 'Fabrikam CRM',
      planId: 'standard',
      publisherId: 'fabrikam',
      publisherName: 'Fabrikam',
      quantity: 5 + i,
      minQuantity: 1,
      maxQuantity: 500,
      termDuration: i % 2 === 0 ? 'P1M' : 'P1Y',
      billingCycle: 'monthly',
      friendlyName: `Seat block ${i + 1}`,
      partnerIdOnRecord: null,
      unitPrice: i % 2 === 0 ? '12.00' : '120.00',
      currency: 'USD',
      cancellationWindowMs: 3 * DAY_MS,
    })),
    requestFingerprint: randomUUID(),
    placedAt: at(1000),
  };
  const placed = await append(store, orderStream(orderId), orderDecider, [placeOrderCommand(order)], partner(1000));
  events += placed.events;

  for (const purchase of purchasesOf(order)) {
    const publisher = (offsetMs: number): EventMetadata => metadata('fabrikam-publisher', 'publisher', 'Publisher', at(offsetMs));
    const system = (offsetMs: number): EventMetadata => metadata('worker', 'system', 'System', at(offsetMs));
    const id = purchase.data.subscriptionId;
    const limits = { minQuantity: 1, maxQuantity: 500 };
    const partnerCommands: SubscriptionCommand[] = [purchase];
    for (let k = 1; k <= 6; k++) {
      partnerCommands.push(
        { type: 'RenameSubscription', data: { friendlyName: `Seat block ${purchase.data.lineItemNumber}, rev ${k}` } },
        { type: 'ChangeSeats', data: { quantity: 5 + k, limits, operationId: randomUUID(), requestedBy: 'Partner', now: at(2000 + k) } },
      );
    }
    partnerCommands.push(
      { type: 'DisableAutoRenew', data: {} },
      { type: 'EnableAutoRenew', data: {} },
      { type: 'AssignIndirectReseller', data: { mpnId: '1234567' } },
      { type: 'RemoveIndirectReseller', data: {} },
    );
    const stream = subscriptionStream(id);
    const bought = await append(store, stream, subscriptionDecider, partnerCommands, partner(2000));
    // The publisher's side and billing come as separate commits, as they do in the system.
    const fulfilled = await append(store, stream, subscriptionDecider, [
      { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 11, pricedPerSeat: true } },
      { type: 'RecordLicensesAssigned', data: { assignedSeats: 11 } },
    ], publisher(DAY_MS), bought.state, bought.revision);
    const billed = await append(store, stream, subscriptionDecider, [{ type: 'StartBilling', data: { now: at(DAY_MS + 1000) } }], system(DAY_MS + 1000), fulfilled.state, fulfilled.revision);
    events += bought.events + fulfilled.events + billed.events;
  }
  const completed = await append(store, orderStream(orderId), orderDecider, [{ type: 'CompleteOrder', data: { now: at(3000) } }], partner(3000), placed.state, placed.revision);
  events += completed.events;
  return { events, streams: 2 + LINES_PER_ORDER };
}

function metadata(actor: string, role: string, source: EventMetadata['source'], occurredAt: string): EventMetadata {
  const requestId = randomUUID();
  return { actor, role, source, correlationId: requestId, causationId: requestId, requestId, occurredAt };
}

interface Appended<S> {
  events: number;
  state: S;
  revision: number;
}

/** Decides the commands against `state` and appends what they cause in one commit, at the exact revision. */
async function append<S, C extends Command, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, C, E>,
  commands: C[],
  meta: EventMetadata,
  state: S = decider.initialState(),
  revision = -1,
): Promise<Appended<S>> {
  const events = decideAll(decider, commands, state);
  await store.appendToStream(
    streamId,
    events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as Record<string, unknown>, metadata: meta })),
    { expectedRevision: revision === -1 ? 'no_stream' : revision },
  );
  return { events: events.length, state: events.reduce(decider.evolve, state), revision: revision + events.length };
}
