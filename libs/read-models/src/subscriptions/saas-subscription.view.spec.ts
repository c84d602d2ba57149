import { ExistingSubscription, evolveSubscription, initialSubscriptionState, SubscriptionEvent } from '@mfh/domain';
import { derivedId as derive } from '@mfh/event-store';
import { resolvedSubscriptionView, saasOperationView, saasSubscriptionView } from './saas-subscription.view';


const SUBSCRIPTION = '0b9f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
const CUSTOMER = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const OPERATION = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';

const purchased: SubscriptionEvent = {
  type: 'SubscriptionPurchased',
  data: {
    subscriptionId: SUBSCRIPTION,
    customerId: CUSTOMER,
    partnerId: 'contoso',
    orderId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
    lineItemNumber: 1,
    offerId: 'fabrikam-crm',
    offerName: 'Fabrikam CRM',
    planId: 'standard',
    publisherId: 'fabrikam',
    publisherName: 'Fabrikam',
    quantity: 5,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    friendlyName: 'Sales CRM',
    indirectResellerId: null,
    autoRenewEnabled: true,
    unitPrice: '120.00',
    currency: 'USD',
    purchasedAt: '2026-03-01T10:00:00.000Z',
    cancellationAllowedUntil: '2026-03-15T10:00:00.000Z',
  },
};
const billing: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 5, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '50.00' },
};
const seatChangeRequested = (requestedBy: 'Partner' | 'Publisher'): SubscriptionEvent => ({
  type: 'SeatChangeRequested',
  data: { operationId: OPERATION, quantity: 8, previousQuantity: 5, requestedBy, requestedAt: '2026-04-01T09:00:00.000Z' },
});
const seatsChanged: SubscriptionEvent = {
  type: 'SeatsChanged',
  data: { quantity: 8, previousQuantity: 5, operationId: OPERATION, changedAt: '2026-04-01T09:00:05.000Z' },
};
const cancelled: SubscriptionEvent = {
  type: 'Cancelled',
  data: { cancelledAt: '2026-05-01T00:00:00.000Z', requestedBy: 'Partner', refund: null, operationId: 'd1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f', abandonedOperationId: null },
};

const stateAfter = (...events: SubscriptionEvent[]) => events.reduce(evolveSubscription, initialSubscriptionState()) as ExistingSubscription;

describe('the SaaS Fulfillment API v2 view of a subscription', () => {
  it('is PendingFulfillmentStart, with only the term unit, until billing starts', () => {
    expect(saasSubscriptionView(stateAfter(purchased))).toEqual({
      id: SUBSCRIPTION,
      publisherId: 'fabrikam',
      offerId: 'fabrikam-crm',
      name: 'Sales CRM',
      saasSubscriptionStatus: 'PendingFulfillmentStart',
      beneficiary: { tenantId: CUSTOMER, objectId: derive('beneficiary', CUSTOMER) },
      purchaser: { tenantId: derive('partner-tenant', 'contoso'), objectId: derive('partner', 'contoso') },
      planId: 'standard',
      quantity: 5,
      term: { termUnit: 'P1Y' },
      autoRenew: true,
      isTest: false,
      isFreeTrial: false,
      allowedCustomerOperations: ['Read'],
      sandboxType: 'None',
      sessionMode: 'None',
      created: '2026-03-01T10:00:00.000Z',
    });
  });

  it('is Subscribed once billing started, with the term’s first and last day and how often it is charged', () => {
    const view = saasSubscriptionView(stateAfter(purchased, billing));
    expect(view.saasSubscriptionStatus).toBe('Subscribed');
    expect(view.term).toEqual({ termUnit: 'P1Y', startDate: '2026-03-02T00:00:00Z', endDate: '2027-03-01T00:00:00Z', chargeDuration: 'P1M' });
  });

  it.each<[string, string, string, string]>([
    ['P2Y', 'annual', '2028-03-01', 'P1Y'],
    ['P3Y', 'monthly', '2029-03-01', 'P1M'],
    ['P3Y', 'upfront', '2029-03-01', 'P3Y'],
    ['P1Y', 'upfront', '2027-03-01', 'P1Y'],
  ])('shows a %s term billed %s as its TermUnit, ending %s, charged every %s', (termDuration, billingCycle, termEnd, chargeDuration) => {
    const bought = { ...purchased, data: { ...purchased.data, termDuration, billingCycle } } as SubscriptionEvent;
    const started = { ...billing, data: { ...billing.data, termEnd, billingCycle } } as SubscriptionEvent;
    expect(saasSubscriptionView(stateAfter(bought)).term).toEqual({ termUnit: termDuration });
    expect(saasSubscriptionView(stateAfter(bought, started)).term).toEqual({ termUnit: termDuration, startDate: '2026-03-02T00:00:00Z', endDate: `${termEnd}T00:00:00Z`, chargeDuration });
  });

  it('is Unsubscribed once cancelled, keeping the term it had', () => {
    const view = saasSubscriptionView(stateAfter(purchased, billing, cancelled));
    expect(view.saasSubscriptionStatus).toBe('Unsubscribed');
    expect(view.term.startDate).toBe('2026-03-02T00:00:00Z');
    expect(saasSubscriptionView(stateAfter(purchased, cancelled)).term).toEqual({ termUnit: 'P1Y' });
  });

  it('resolves to the summary plus the subscription', () => {
    const state = stateAfter(purchased);
    expect(resolvedSubscriptionView(state)).toEqual({
      id: SUBSCRIPTION,
      subscriptionName: 'Sales CRM',
      offerId: 'fabrikam-crm',
      planId: 'standard',
      quantity: 5,
      subscription: saasSubscriptionView(state),
    });
  });
});

describe('the SaaS Fulfillment API v2 view of an operation', () => {
  it('waits InProgress, stamped with its request, and names the publisher’s own request Azure', () => {
    const state = stateAfter(purchased, billing, seatChangeRequested('Publisher'));
    expect(saasOperationView(state, state.operations[0])).toEqual({
      id: OPERATION,
      activityId: derive('operation-activity', OPERATION),
      subscriptionId: SUBSCRIPTION,
      offerId: 'fabrikam-crm',
      publisherId: 'fabrikam',
      planId: 'standard',
      quantity: 8,
      action: 'ChangeQuantity',
      timeStamp: '2026-04-01T09:00:00.000Z',
      status: 'InProgress',
      operationRequestSource: 'Azure',
    });
  });

  it('is stamped with its outcome once finished, and names the reseller’s request Partner', () => {
    const state = stateAfter(purchased, billing, seatChangeRequested('Partner'), seatsChanged);
    expect(saasOperationView(state, state.operations[0])).toMatchObject({
      status: 'Succeeded',
      timeStamp: '2026-04-01T09:00:05.000Z',
      operationRequestSource: 'Partner',
    });
  });
});
