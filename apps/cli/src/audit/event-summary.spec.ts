import { summarizeEvent, whoOf } from './event-summary';

describe('summarizeEvent', () => {
  it.each([
    [{ type: 'SubscriptionRenamed', data: { friendlyName: 'X', previousFriendlyName: 'Sales CRM' } }, "renamed from 'Sales CRM' to 'X'"],
    [{ type: 'SeatsChanged', data: { quantity: 8, previousQuantity: 5, operationId: null, changedAt: '' } }, 'seats 5 → 8'],
    [
      { type: 'SeatChangeRejected', data: { operationId: 'op-1', quantity: 9, reason: 'no licenses left', rejectedAt: '' } },
      'seat change to 9 rejected: no licenses left (operation op-1)',
    ],
    [{ type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } }, 'indirect reseller none → 1234567'],
    [
      { type: 'Cancelled', data: { cancelledAt: '', requestedBy: 'Partner', refund: { amount: '60.00', currency: 'USD' }, operationId: 'op', abandonedOperationId: null } },
      'cancelled by Partner, refund USD 60.00',
    ],
    [
      { type: 'PublisherActionRequired', data: { reason: 'Verify the tenant', url: 'https://fabrikam.example/fix', blockedOperations: ['cancel'], signedAt: '' } },
      "action needed: 'Verify the tenant' (https://fabrikam.example/fix), blocks cancel",
    ],
    [{ type: 'CustomerCreated', data: { companyName: 'Adatum' } }, '{"companyName":"Adatum"}'],
  ])('%#: %j', (event, summary) => expect(summarizeEvent(event)).toBe(summary));

  it('shortens what it cannot put in words', () => {
    expect(summarizeEvent({ type: 'OrderPlaced', data: { text: 'x'.repeat(300) } })).toHaveLength(160);
  });
});

describe('whoOf', () => {
  it('names actor, role and source, and marks what is missing', () => {
    expect(whoOf({ actor: 'fabrikam-publisher', role: 'publisher', source: 'Publisher' })).toBe('fabrikam-publisher (publisher, Publisher)');
    expect(whoOf({ actor: 'worker' })).toBe('worker (?, ?)');
  });
});
