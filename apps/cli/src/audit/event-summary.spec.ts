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
    [
      {
        type: 'NextTermScheduled',
        data: { planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00', scheduledAt: '' },
      },
      'changes at renewal scheduled: plan enterprise, 12 seats, P1M billed monthly at 30.00 per seat',
    ],
    [{ type: 'NextTermScheduleCleared', data: { reason: 'SeatChange' } }, 'changes at renewal dropped (SeatChange)'],
    [
      {
        type: 'SubscriptionRenewed',
        data: {
          operationId: 'op-r',
          termStart: '2027-02-01',
          termEnd: '2027-02-28',
          quantity: 12,
          chargedAmount: '360.00',
          renewedAt: '',
          planId: 'enterprise',
          termDuration: 'P1M',
          billingCycle: 'monthly',
          unitPrice: '30.00',
        },
      },
      'renewed as scheduled (plan enterprise, P1M billed monthly at 30.00 per seat): term 2027-02-01 to 2027-02-28, 12 seats, charged 360.00',
    ],
    [
      {
        type: 'NextTermChangeApplied',
        data: { operationId: 'op-p', action: 'ChangePlan', planId: 'enterprise', previousPlanId: 'standard', quantity: 12, previousQuantity: 5, appliedAt: '' },
      },
      'renewal applied plan standard → enterprise (operation op-p)',
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
