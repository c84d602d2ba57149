import { ChargeLine, fromCents, InvoiceLine, invoiceStream, rate, SubscriptionEvent, subscriptionStream, totalOf } from '@mfh/domain';
import type { EventStore, JsonObject } from '@mfh/event-store';
import { invoiceLinesHash, SubscriptionsRepository } from '@mfh/read-models';
import { invoiceLine, purchasedEvent, readModelsFixture, ReadModelsFixture, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ratableEvents } from '../re-rating';
import { VerifyInvoice } from './verify-invoice.query';
import { VerifyInvoiceHandler } from './verify-invoice.handler';

/** A subscription event and the business time its command was decided at. */
type At = [SubscriptionEvent, string];

describe('VerifyInvoice', () => {
  let fixture: ReadModelsFixture;
  let store: EventStore;
  let handler: VerifyInvoiceHandler;

  beforeAll(async () => {
    fixture = await readModelsFixture();
    store = fixture.store;
    handler = new VerifyInvoiceHandler(store, new SubscriptionsRepository(fixture.pool));
  });

  afterAll(() => fixture.close());

  const verify = (invoiceId: string) => handler.execute(new VerifyInvoice(invoiceId));

  async function append(stream: string, events: readonly { type: string; data: object; at: string }[]): Promise<void> {
    await store.appendToStream(
      stream,
      events.map(({ type, data, at }) => ({ id: randomUUID(), type, data: data as JsonObject, metadata: requestMetadata(at) as unknown as JsonObject })),
    );
  }

  /**
   * A partner of its own with one subscription bought in March 2026: 10 seats billed from 2 March, 2
   * more on 17 March, the April cycle of its year billed monthly on 2 April. Returns its re-rated lines.
   */
  async function boughtInMarch(): Promise<{ partnerId: string; subscriptionId: string; lines: ChargeLine[] }> {
    const partnerId = `partner-${randomUUID().slice(0, 8)}`;
    const subscriptionId = randomUUID();
    const history: At[] = [
      [purchasedEvent({ subscriptionId, partnerId, quantity: 10, termDuration: 'P1Y', unitPrice: '120.00', cancellationAllowedUntil: '2026-03-15T10:00:00.000Z' }), '2026-03-01T10:00:00.000Z'],
      [
        {
          type: 'BillingStarted',
          data: { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 10, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '100.00' },
        },
        '2026-03-02T08:00:00.000Z',
      ],
      [{ type: 'SeatsChanged', data: { quantity: 12, previousQuantity: 10, operationId: null, changedAt: '2026-03-17T09:00:00.000Z' } }, '2026-03-17T09:00:00.000Z'],
      [{ type: 'BillingCycleStarted', data: { cycleStart: '2026-04-02', cycleEnd: '2026-05-01', quantity: 12 } }, '2026-04-02T00:00:00.000Z'],
    ];
    await append(
      subscriptionStream(subscriptionId),
      history.map(([event, at]) => ({ ...event, at })),
    );
    await fixture.project();
    const lines = rate(ratableEvents(await store.readStream(subscriptionStream(subscriptionId))));
    return { partnerId, subscriptionId, lines };
  }

  const recorded = (lines: readonly InvoiceLine[]) => lines.map((data) => ({ type: 'ChargeRecorded', data, at: data.occurredAt }));
  const onInvoice = (line: ChargeLine, invoiceId: string): InvoiceLine => invoiceLine({ ...line, invoiceId, testClockId: null });

  it('finds every line of the period as re-rated, in an intact chain', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const [started, added, april] = lines;
    expect(lines.map((line) => [line.chargeType, fromCents(line.amount)])).toEqual([
      ['new', '100.00'],
      ['addQuantity', '10.32'],
      ['cycleCharge', '120.00'],
    ]);
    const march = `${partnerId}-2026-03-USD`;
    await append(invoiceStream(march), recorded([onInvoice(started, march), onInvoice(added, march)]));
    await append(invoiceStream(`${partnerId}-2026-04-USD`), recorded([onInvoice(april, `${partnerId}-2026-04-USD`)]));

    expect(await verify(march)).toEqual({
      invoiceId: march,
      status: 'open',
      valid: true,
      lines: 2,
      expectedLines: 2,
      totalCharges: '110.32',
      expectedTotalCharges: '110.32',
      subscriptions: 1,
      differences: [],
      movedToLaterInvoices: [],
      chain: { valid: true, events: 2, brokenAtRevision: null, reason: null },
      issued: null,
    });
    expect(await verify(`${partnerId}-2026-04-USD`)).toMatchObject({ valid: true, lines: 1, totalCharges: '120.00' });
  });

  it('reports a stored amount that is not the re-rated one, with both lines in two decimals', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const march = `${partnerId}-2026-03-USD`;
    await append(invoiceStream(march), recorded([onInvoice(lines[0], march), { ...onInvoice(lines[1], march), amount: 99_999 }]));

    const result = await verify(march);
    expect(result).toMatchObject({ valid: false, lines: 2, expectedLines: 2, totalCharges: '1099.99', expectedTotalCharges: '110.32', chain: { valid: true } });
    expect(result.differences).toEqual([
      {
        referenceId: lines[1].referenceId,
        lineId: lines[1].id,
        reason: 'altered',
        fields: ['amount'],
        expected: expect.objectContaining({ chargeType: 'addQuantity', quantity: 2, effectiveUnitPrice: '5.16', amount: '10.32', invoiceId: march }),
        stored: expect.objectContaining({ chargeType: 'addQuantity', quantity: 2, effectiveUnitPrice: '5.16', amount: '999.99', invoiceId: march }),
        storedRevision: 1,
        chargedOn: null,
      },
    ]);
  });

  it('reports a line re-rating expects that the invoice does not hold, and one it holds that re-rating does not give', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const march = `${partnerId}-2026-03-USD`;
    const forged = onInvoice({ ...lines[1], id: `${randomUUID()}/charge/0`, referenceId: randomUUID() }, march);
    await append(invoiceStream(march), recorded([onInvoice(lines[0], march), forged]));

    const { valid, differences } = await verify(march);
    expect(valid).toBe(false);
    expect(differences).toEqual([
      expect.objectContaining({ reason: 'unexpected', lineId: forged.id, referenceId: forged.referenceId, expected: null, stored: expect.objectContaining({ amount: '10.32' }) }),
      expect.objectContaining({ reason: 'missing', lineId: lines[1].id, stored: null, storedRevision: null, expected: expect.objectContaining({ amount: '10.32' }) }),
    ]);
  });

  it('finds the subscriptions that charged nothing yet through the read model, and leaves out names', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const other = await boughtInMarch();
    const march = `${partnerId}-2026-03-USD`;
    // Another subscription of the same partner, bought in March and never charged.
    const silent = randomUUID();
    await append(subscriptionStream(silent), [
      { ...purchasedEvent({ subscriptionId: silent, partnerId }), at: '2026-03-05T10:00:00.000Z' },
      {
        type: 'BillingStarted',
        data: { termStart: '2026-03-06', termEnd: '2026-04-05', quantity: 12, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '144.00' },
        at: '2026-03-06T10:00:00.000Z',
      },
    ]);
    await fixture.project();
    await append(invoiceStream(march), recorded([{ ...onInvoice(lines[0], march), customerName: 'Renamed since', skuName: 'Other' }, onInvoice(lines[1], march)]));
    await append(invoiceStream(`${other.partnerId}-2026-03-USD`), recorded(other.lines.slice(0, 2).map((line) => onInvoice(line, `${other.partnerId}-2026-03-USD`))));

    const result = await verify(march);
    expect(result).toMatchObject({ valid: false, subscriptions: 2, lines: 2, expectedLines: 3 });
    expect(result.differences).toEqual([expect.objectContaining({ reason: 'missing', expected: expect.objectContaining({ subscriptionId: silent, amount: '144.00' }) })]);
    expect(await verify(`${other.partnerId}-2026-03-USD`)).toMatchObject({ valid: true, subscriptions: 1 });
  });

  it('checks InvoiceIssued against its lines, and follows a line charged after the issue to the next invoice', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const [march, april] = [`${partnerId}-2026-03-USD`, `${partnerId}-2026-04-USD`];
    const issued = (stored: readonly InvoiceLine[], totalCharges = fromCents(totalOf(stored))) => ({
      type: 'InvoiceIssued',
      data: {
        invoiceId: march,
        partnerId,
        testClockId: null,
        invoiceDate: '2026-04-01T01:00:00.000Z',
        periodStart: '2026-03-01',
        periodEnd: '2026-03-31',
        currency: 'USD',
        totalCharges,
        lineCount: stored.length,
        linesHash: invoiceLinesHash(stored),
      },
      at: '2026-04-01T01:00:00.000Z',
    });
    const first = [onInvoice(lines[0], march)];
    await append(invoiceStream(march), [...recorded(first), issued(first)]);
    // The seat change arrived after March was issued: it went on April, with April's own cycle charge.
    await append(invoiceStream(april), recorded([onInvoice(lines[1], april), onInvoice(lines[2], april)]));

    expect(await verify(march)).toMatchObject({
      status: 'issued',
      valid: true,
      lines: 1,
      expectedLines: 1,
      movedToLaterInvoices: [{ lineId: lines[1].id, referenceId: lines[1].referenceId, invoiceId: april }],
      issued: { valid: true, lineCount: { stated: 1, actual: 1 }, totalCharges: { stated: '100.00', actual: '100.00' }, linesAfterIssue: 0 },
    });
    expect(await verify(april)).toMatchObject({ status: 'open', valid: true, lines: 2, expectedLines: 2, differences: [] });

    const { partnerId: other, lines: otherLines } = await boughtInMarch();
    const overstated = `${other}-2026-03-USD`;
    const stored = [onInvoice(otherLines[0], overstated)];
    await append(invoiceStream(overstated), [...recorded(stored), { ...issued(stored, '200.00'), data: { ...issued(stored, '200.00').data, invoiceId: overstated } }]);
    expect(await verify(overstated)).toMatchObject({
      valid: false,
      differences: [expect.objectContaining({ reason: 'missing', lineId: otherLines[1].id })],
      issued: { valid: false, totalCharges: { stated: '200.00', actual: '100.00' } },
    });
  });

  it('reports a line stored twice, and a line of an earlier period that an open period should hold', async () => {
    const { partnerId, lines } = await boughtInMarch();
    const [march, april] = [`${partnerId}-2026-03-USD`, `${partnerId}-2026-04-USD`];
    await append(invoiceStream(march), recorded([onInvoice(lines[0], march), onInvoice(lines[0], march)]));
    await append(invoiceStream(april), recorded([onInvoice(lines[1], april), onInvoice(lines[2], april)]));

    expect((await verify(march)).differences).toEqual([
      expect.objectContaining({ reason: 'duplicate', lineId: lines[0].id, storedRevision: 1, chargedOn: null }),
      expect.objectContaining({ reason: 'missing', lineId: lines[1].id }),
    ]);
    // March is open: the seat change belongs there, not on April.
    expect((await verify(april)).differences).toEqual([expect.objectContaining({ reason: 'unexpected', lineId: lines[1].id, expected: null })]);
  });

  it('refuses what is no invoice id, and does not find a period without events', async () => {
    await expect(verify('contoso-2026-13-USD')).rejects.toMatchObject({ code: 'invalid-invoice-id', kind: 'validation' });
    await expect(verify('not an invoice')).rejects.toMatchObject({ code: 'invalid-invoice-id' });
    await expect(verify(`nobody-${randomUUID()}-2026-03-USD`)).rejects.toMatchObject({ code: 'invoice-not-found', kind: 'not-found' });
  });
});
