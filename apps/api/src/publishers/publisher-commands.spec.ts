import { loadCatalog } from '@mfh/config';
import { DomainError, ExistingSubscription, evolveSubscription, initialSubscriptionState, SubscriptionEvent } from '@mfh/domain';
import { resolve } from 'node:path';
import { activate, answerOperation, changeSubscription, requestCancellation } from './publisher-commands';

const catalog = loadCatalog(resolve(__dirname, '../../../../config/catalog.development.json'));
const NOW = '2026-04-01T09:00:00.000Z';
const OPERATION = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const context = { now: NOW, operationId: OPERATION };

const purchased: SubscriptionEvent = {
  type: 'SubscriptionPurchased',
  data: {
    subscriptionId: '0b9f6c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e',
    customerId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
    partnerId: 'contoso',
    orderId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
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
  },
};
const billing: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 12, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '144.00' },
};
const cancelled: SubscriptionEvent = {
  type: 'Cancelled',
  data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: 'd1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f', abandonedOperationId: null },
};

const stateAfter = (...events: SubscriptionEvent[]) => events.reduce(evolveSubscription, initialSubscriptionState()) as ExistingSubscription;
const withEvents = (state: ExistingSubscription, events: SubscriptionEvent[]) => events.reduce(evolveSubscription, state) as ExistingSubscription;

function refusal(run: () => unknown): { code: string; kind: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, kind: error.kind };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('activate', () => {
  it('confirms exactly what was bought, once', () => {
    const state = stateAfter(purchased);
    const events = activate(state, { planId: 'standard', quantity: 12 }, catalog);
    expect(events).toEqual([{ type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 12 } }]);
    expect(activate(withEvents(state, events), { planId: 'standard', quantity: 12 }, catalog)).toEqual([]);
  });

  it('wants the quantity of a per-seat plan, and reports a cancelled subscription as Unsubscribed first', () => {
    expect(refusal(() => activate(stateAfter(purchased), { planId: 'standard' }, catalog))).toEqual({ code: 'quantity-required', kind: 'validation' });
    expect(refusal(() => activate(stateAfter(purchased, cancelled), { planId: 'standard' }, catalog))).toEqual({
      code: 'subscription-unsubscribed',
      kind: 'not-found',
    });
  });
});

describe('changeSubscription', () => {
  const subscribed = stateAfter(purchased, billing);

  it('asks for a seat change, and answers a repeat with nothing new', () => {
    const events = changeSubscription(subscribed, { quantity: 15 }, catalog, context);
    expect(events).toEqual([
      { type: 'SeatChangeRequested', data: { operationId: OPERATION, quantity: 15, previousQuantity: 12, requestedBy: 'Publisher', requestedAt: NOW } },
    ]);
    expect(changeSubscription(withEvents(subscribed, events), { quantity: 15 }, catalog, { ...context, operationId: 'other' })).toEqual([]);
  });

  it('refuses the quantity it already has, and a plan the offer does not have', () => {
    expect(refusal(() => changeSubscription(subscribed, { quantity: 12 }, catalog, context))).toEqual({ code: 'quantity-unchanged', kind: 'validation' });
    expect(refusal(() => changeSubscription(subscribed, { planId: 'gold' }, catalog, context))).toEqual({ code: 'plan-not-available', kind: 'validation' });
  });

  it('asks for a plan change with the new plan’s limits', () => {
    expect(changeSubscription(subscribed, { planId: 'enterprise' }, catalog, context)).toEqual([
      { type: 'PlanChangeRequested', data: { operationId: OPERATION, planId: 'enterprise', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: NOW } },
    ]);
    const few = stateAfter({ ...purchased, data: { ...purchased.data, quantity: 5 } } as SubscriptionEvent, billing);
    expect(refusal(() => changeSubscription(few, { planId: 'enterprise' }, catalog, context))).toEqual({ code: 'quantity-out-of-range', kind: 'validation' });
  });
});

describe('answerOperation', () => {
  const waiting = withEvents(stateAfter(purchased, billing), requestCancellation(stateAfter(purchased, billing), context));

  it('accepts with Success and rejects with Failure', () => {
    expect(answerOperation(waiting, OPERATION, { status: 'Success' }, NOW).map((e) => e.type)).toEqual(['Cancelled']);
    expect(answerOperation(waiting, OPERATION, { status: 'Failure' }, NOW).map((e) => e.type)).toEqual(['CancellationRejected']);
  });

  it('refuses a plan or quantity that is not the operation’s, an unknown operation, and one already answered', () => {
    expect(refusal(() => answerOperation(waiting, OPERATION, { status: 'Success', quantity: 13 }, NOW))).toEqual({ code: 'operation-mismatch', kind: 'validation' });
    expect(answerOperation(waiting, OPERATION, { status: 'Success', planId: 'standard', quantity: 12 }, NOW)).toHaveLength(1);
    expect(refusal(() => answerOperation(waiting, 'unknown', { status: 'Success' }, NOW))).toEqual({ code: 'operation-not-found', kind: 'not-found' });
    const answered = withEvents(waiting, answerOperation(waiting, OPERATION, { status: 'Failure' }, NOW));
    expect(refusal(() => answerOperation(answered, OPERATION, { status: 'Success' }, NOW))).toEqual({ code: 'operation-not-in-progress', kind: 'conflict' });
  });
});
