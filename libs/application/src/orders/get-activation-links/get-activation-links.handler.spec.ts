import { ActivationCodes, SecretStore } from '@mfh/auth';
import { loadConfig } from '@mfh/config';
import { orderStream, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { developmentCatalog, given, inMemoryStore, placedOrder, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ActivationLinks } from '../../activation/activation-links';
import { GetActivationLinks } from './get-activation-links.query';
import { GetActivationLinksHandler } from './get-activation-links.handler';

describe('GetActivationLinks', () => {
  let store: EventStore;
  let handler: GetActivationLinksHandler;
  let codes: ActivationCodes;
  const order = placedOrder({ lines: 2 });
  const [first, second] = order.lineItems;

  beforeEach(async () => {
    store = inMemoryStore();
    const config = loadConfig({ ACTIVATION_CODE_SECRET: 'a'.repeat(40) });
    codes = new ActivationCodes(config, {} as SecretStore);
    await codes.onModuleInit();
    handler = new GetActivationLinksHandler(store, new ActivationLinks(codes, developmentCatalog(), config));
    await given(store, orderStream(order.orderId), [{ type: 'OrderPlaced', data: order }]);
    await given(store, subscriptionStream(first.subscriptionId), [purchasedEvent({ subscriptionId: first.subscriptionId, customerId: order.customerId })]);
    await given(store, subscriptionStream(second.subscriptionId), [
      purchasedEvent({ subscriptionId: second.subscriptionId, customerId: order.customerId }),
      { type: 'Cancelled', data: { cancelledAt: '2026-03-01T11:00:00.000Z', requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null } },
    ]);
  });

  const links = (lineItemNumber: number, partnerId = 'contoso') => handler.execute(new GetActivationLinks(partnerId, order.customerId, order.orderId, lineItemNumber));

  it("gives the publisher's landing page with an authorization code for the line item's subscription", async () => {
    const { lineItemNumber, uri } = await links(1);
    expect(lineItemNumber).toBe(1);
    const url = new URL(uri!);
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:4000/landing');
    expect(await codes.open(url.searchParams.get('token')!)).toEqual({ ok: true, grant: { subscriptionId: first.subscriptionId, publisherId: 'fabrikam' } });
  });

  it('has no link once the subscription is cancelled', async () => {
    expect(await links(2)).toEqual({ lineItemNumber: 2, uri: null });
  });

  it('reports a line item the order does not have', async () => {
    await expect(links(3)).rejects.toMatchObject({ code: 'line-item-not-found', kind: 'not-found' });
  });

  it("reports another partner's order as not found", async () => {
    await expect(links(1, 'northwind')).rejects.toMatchObject({ code: 'order-not-found' });
  });
});
