import type { RecordedEvent } from '@mfh/event-store';
import { occurredAtOf, replaySubscription } from './subscription-replay';

const ID = '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10';

function recorded(revision: number, type: string, data: object, occurredAt: string): RecordedEvent {
  return {
    id: `00000000-0000-4000-8000-00000000000${revision}`,
    streamId: `subscription-${ID}`,
    revision,
    position: { commit: BigInt(revision), prepare: BigInt(revision) },
    type,
    data: data as RecordedEvent['data'],
    metadata: { occurredAt },
    recordedAt: new Date('2030-01-01T00:00:00Z'),
    hash: 'h',
    previousHash: null,
  };
}

const purchased = recorded(
  0,
  'SubscriptionPurchased',
  {
    subscriptionId: ID,
    customerId: 'c',
    partnerId: 'contoso',
    orderId: 'o',
    lineItemNumber: 1,
    offerId: 'fabrikam-crm',
    offerName: 'CRM',
    planId: 'standard',
    publisherId: 'fabrikam',
    publisherName: 'Fabrikam',
    friendlyName: 'First',
    quantity: 5,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    autoRenewEnabled: true,
    indirectResellerId: null,
    unitPrice: '12.00',
    currency: 'USD',
    purchasedAt: '2025-03-10T09:00:00.000Z',
    cancellationAllowedUntil: '2025-03-13T09:00:00.000Z',
  },
  '2025-03-10T09:00:00.000Z',
);
const renamed = recorded(1, 'SubscriptionRenamed', { friendlyName: 'Second' }, '2025-03-10T10:00:00.000Z');
// Decided on an earlier clock than revision 1, stored after it.
const renamedAgain = recorded(2, 'SubscriptionRenamed', { friendlyName: 'Third' }, '2025-03-10T09:30:00.000Z');
const events = [purchased, renamed, renamedAgain];

describe('replaySubscription', () => {
  it('folds up to and including a revision', () => {
    expect(replaySubscription(events, { revision: 0 })).toMatchObject({ state: { friendlyName: 'First' }, last: { revision: 0 } });
    expect(replaySubscription(events, { revision: 1 })).toMatchObject({ state: { friendlyName: 'Second' }, last: { revision: 1 } });
    expect(replaySubscription(events, { revision: 9 })).toMatchObject({ state: { friendlyName: 'Third' }, last: { revision: 2 } });
  });

  it('folds what had occurred by a time, the boundary included', () => {
    expect(replaySubscription(events, { asOf: new Date('2025-03-10T10:00:00.000Z') })?.last.revision).toBe(2);
    expect(replaySubscription(events, { asOf: new Date('2025-03-10T09:59:59.999Z') })?.last.revision).toBe(0);
  });

  it('stops at the first event after the time rather than skipping it, so the state is one the stream really had', () => {
    const replayed = replaySubscription(events, { asOf: new Date('2025-03-10T09:45:00.000Z') });
    expect(replayed).toMatchObject({ state: { friendlyName: 'First' }, last: { revision: 0 } });
  });

  it('is null before the purchase and for an empty stream', () => {
    expect(replaySubscription(events, { asOf: new Date('2025-03-10T08:59:59.999Z') })).toBeNull();
    expect(replaySubscription([], { revision: 0 })).toBeNull();
  });

  it('falls back on recordedAt when an event has no business time', () => {
    expect(occurredAtOf({ ...renamed, metadata: {} })).toBe(Date.parse('2030-01-01T00:00:00Z'));
  });
});
