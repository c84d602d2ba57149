import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import type * as E from './subscription.events';
import type { SubscriptionEvent, SubscriptionEventType } from './subscription.events';

/**
 * Every state × every command: what each command does in each state the subscription can be in,
 * with one representative command per type; `trial` is an active subscription in its free trial.
 */
const spec = DeciderSpecification.for(subscriptionDecider);

type CommandType = C.SubscriptionCommand['type'];

// A year billed monthly: 10 seats at 144.00 a year, bought through an indirect reseller; the window is 14 days.
const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
const WINDOW_CLOSES = '2025-03-24T09:00:00.000Z';
const SUSPENDED_AT = '2025-03-15T10:00:00.000Z';
const GRACE_MS = 30 * 86_400_000;
const GRACE_ENDS = '2025-04-14T10:00:00.000Z';
/** Inside the window, after the suspension, before its grace ends. */
const NOW = '2025-03-20T12:00:00.000Z';
const SIGNED = '2025-03-20T11:00:00.000Z';
const SUSPEND_OP = 'op-suspend';
const LIMITS: C.PlanLimits = { minQuantity: 1, maxQuantity: 500 };
const STANDARD: C.CatalogPlan = { id: 'standard', ...LIMITS, isPrivate: false, isPricePerSeat: true };
const PREMIUM: C.CatalogPlan = { ...STANDARD, id: 'premium' };

// --- states -----------------------------------------------------------------------------------

const purchased: E.SubscriptionPurchased = subscriptionPurchased({
  termDuration: 'P1Y',
  unitPrice: '144.00',
  indirectResellerId: '7654321',
  purchasedAt: PURCHASED_AT,
  cancellationAllowedUntil: WINDOW_CLOSES,
});
const ACTIVE: SubscriptionEvent[] = [
  purchased,
  { type: 'PublisherActivated', data: { assignedSeats: 10 } },
  { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 10 } },
  {
    type: 'BillingStarted',
    data: { termStart: '2025-03-11', termEnd: '2026-03-10', quantity: 10, unitPrice: '144.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '120.00' },
  },
];

const STATES = {
  none: [],
  pending: [purchased],
  active: ACTIVE,
  suspended: [
    ...ACTIVE,
    {
      type: 'SubscriptionSuspended',
      data: { operationId: SUSPEND_OP, reasons: ['nonpayment'], requestedBy: 'Partner', suspendedAt: SUSPENDED_AT, graceEndsAt: GRACE_ENDS, abandonedOperationId: null },
    },
  ],
  // The same purchase with a month's free trial, activated: billed at 0.00 until it converts.
  trial: [
    { ...purchased, data: { ...purchased.data, freeTrial: { duration: 'P1M' } } },
    ...ACTIVE.slice(1, 3),
    {
      type: 'BillingStarted',
      data: { termStart: '2025-03-11', termEnd: '2025-04-10', quantity: 10, unitPrice: '0.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '0.00' },
    },
  ],
  deleted: [
    ...ACTIVE,
    { type: 'Cancelled', data: { cancelledAt: SUSPENDED_AT, requestedBy: 'Partner', refund: null, operationId: 'op-cancel', abandonedOperationId: null } },
  ],
} satisfies Record<string, SubscriptionEvent[]>;
type StateName = keyof typeof STATES;
const STATE_NAMES = Object.keys(STATES) as StateName[];

// --- one command of every type: a type added to SubscriptionCommand without a row does not compile --

const { type: _type, data: bought } = purchased;
const { autoRenewEnabled: _auto, purchasedAt: _at, cancellationAllowedUntil: _until, testClockId: _clock, ...purchaseFields } = bought;

const COMMANDS: { [K in CommandType]: Extract<C.SubscriptionCommand, { type: K }> } = {
  PurchaseSubscription: {
    type: 'PurchaseSubscription',
    data: { ...purchaseFields, limits: LIMITS, cancellationWindowMs: 14 * 86_400_000, testClockId: null, now: PURCHASED_AT },
  },
  RenameSubscription: { type: 'RenameSubscription', data: { friendlyName: 'CRM renamed' } },
  ChangeSeats: { type: 'ChangeSeats', data: { quantity: 25, limits: LIMITS, operationId: 'op-seats', requestedBy: 'Partner', now: NOW } },
  ChangePlan: { type: 'ChangePlan', data: { planId: 'premium', plan: PREMIUM, operationId: 'op-plan', requestedBy: 'Publisher', now: NOW } },
  ChangeSubscription: {
    type: 'ChangeSubscription',
    data: { planId: null, quantity: 25, plans: [STANDARD, PREMIUM], operationId: 'op-seats', requestedBy: 'Publisher', now: NOW },
  },
  DisableAutoRenew: { type: 'DisableAutoRenew', data: {} },
  EnableAutoRenew: { type: 'EnableAutoRenew', data: {} },
  AssignIndirectReseller: { type: 'AssignIndirectReseller', data: { mpnId: '1234567' } },
  RemoveIndirectReseller: { type: 'RemoveIndirectReseller', data: {} },
  CancelSubscription: { type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: 'op-cancel-2', now: NOW } },
  RequestCancellation: { type: 'RequestCancellation', data: { requestedBy: 'Publisher', operationId: 'op-unsubscribe', now: NOW } },
  RecordLicensesAssigned: { type: 'RecordLicensesAssigned', data: { assignedSeats: 10 } },
  ConfirmFulfillment: { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 10, pricedPerSeat: true } },
  StartBilling: { type: 'StartBilling', data: { now: NOW } },
  StartBillingCycle: { type: 'StartBillingCycle', data: { cycleStart: '2025-04-11', now: '2025-04-11T00:00:00.000Z' } },
  RequirePublisherAction: {
    type: 'RequirePublisherAction',
    data: { reason: 'Verify the tenant domain', url: 'https://contoso.example/verify', blockedOperations: ['cancel'], signedAt: SIGNED },
  },
  ResolvePublisherAction: { type: 'ResolvePublisherAction', data: { signedAt: SIGNED } },
  AcceptOperation: { type: 'AcceptOperation', data: { operationId: SUSPEND_OP, now: NOW, answeredBy: 'Publisher' } },
  RejectOperation: { type: 'RejectOperation', data: { operationId: SUSPEND_OP, reason: null, now: NOW, answeredBy: 'Publisher' } },
  RenewSubscription: { type: 'RenewSubscription', data: { operationId: 'op-renew', now: '2026-03-11T00:00:00.000Z', termEnd: '2026-03-10' } },
  SuspendSubscription: {
    type: 'SuspendSubscription',
    data: { reasons: ['fraud'], requestedBy: 'System', operationId: 'op-suspend-2', graceMs: GRACE_MS, now: NOW },
  },
  RequestReinstatement: { type: 'RequestReinstatement', data: { requestedBy: 'Partner', operationId: 'op-reinstate', now: NOW } },
  ExpireSuspension: { type: 'ExpireSuspension', data: { suspensionOperationId: SUSPEND_OP, operationId: 'op-expire', now: GRACE_ENDS } },
  ScheduleNextTerm: {
    type: 'ScheduleNextTerm',
    data: { instructions: { quantity: 20 }, plans: [STANDARD, PREMIUM], terms: [{ termDuration: 'P1Y', billingCycles: ['monthly', 'annual'] }], now: NOW },
  },
  ClearNextTerm: { type: 'ClearNextTerm', data: {} },
};

// --- what each does in each state ---------------------------------------------------------------

/** Decides exactly these events (none: the outcome already holds), or throws the DomainError with this code. */
type Outcome = { accepts: readonly SubscriptionEventType[] } | { refuses: string };
const accepts = (...types: SubscriptionEventType[]): Outcome => ({ accepts: types });
const nothing = accepts();
const refuses = (code: string): Outcome => ({ refuses: code });
const NOT_FOUND = refuses('subscription-not-found');

const EXPECTED: { [K in CommandType]: Record<StateName, Outcome> } = {
  PurchaseSubscription: { none: accepts('SubscriptionPurchased'), pending: nothing, active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
  RenameSubscription: {
    none: NOT_FOUND,
    pending: accepts('SubscriptionRenamed'),
    active: accepts('SubscriptionRenamed'),
    suspended: accepts('SubscriptionRenamed'),
    trial: accepts('SubscriptionRenamed'),
    deleted: refuses('subscription-deleted'),
  },
  ChangeSeats: {
    none: NOT_FOUND,
    pending: accepts('SeatsChanged'),
    active: accepts('SeatChangeRequested'),
    suspended: refuses('subscription-suspended'),
    trial: accepts('SeatChangeRequested'),
    deleted: refuses('subscription-deleted'),
  },
  ChangePlan: {
    none: NOT_FOUND,
    pending: refuses('subscription-not-active'),
    active: accepts('PlanChangeRequested'),
    suspended: refuses('subscription-suspended'),
    trial: refuses('subscription-in-free-trial'),
    deleted: refuses('subscription-not-active'),
  },
  ChangeSubscription: {
    none: NOT_FOUND,
    pending: refuses('subscription-not-active'),
    active: accepts('SeatChangeRequested'),
    suspended: refuses('subscription-suspended'),
    trial: accepts('SeatChangeRequested'),
    deleted: refuses('subscription-not-active'),
  },
  DisableAutoRenew: {
    none: NOT_FOUND,
    pending: accepts('AutoRenewDisabled'),
    active: accepts('AutoRenewDisabled'),
    suspended: accepts('AutoRenewDisabled'),
    trial: accepts('AutoRenewDisabled'),
    deleted: refuses('subscription-deleted'),
  },
  // Auto-renew is on in every state here, so enabling it already holds, even once deleted.
  EnableAutoRenew: { none: NOT_FOUND, pending: nothing, active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
  AssignIndirectReseller: {
    none: NOT_FOUND,
    pending: accepts('IndirectResellerAssigned'),
    active: accepts('IndirectResellerAssigned'),
    suspended: accepts('IndirectResellerAssigned'),
    trial: accepts('IndirectResellerAssigned'),
    deleted: refuses('subscription-deleted'),
  },
  RemoveIndirectReseller: {
    none: NOT_FOUND,
    pending: accepts('IndirectResellerRemoved'),
    active: accepts('IndirectResellerRemoved'),
    suspended: accepts('IndirectResellerRemoved'),
    trial: accepts('IndirectResellerRemoved'),
    deleted: refuses('subscription-deleted'),
  },
  CancelSubscription: {
    none: NOT_FOUND,
    pending: accepts('Cancelled'),
    active: accepts('Cancelled'),
    suspended: accepts('Cancelled'),
    trial: accepts('Cancelled'),
    deleted: nothing,
  },
  RequestCancellation: {
    none: NOT_FOUND,
    pending: accepts('CancellationRequested'),
    active: accepts('CancellationRequested'),
    suspended: accepts('CancellationRequested'),
    trial: accepts('CancellationRequested'),
    deleted: refuses('subscription-not-active'),
  },
  RecordLicensesAssigned: { none: NOT_FOUND, pending: accepts('PublisherActivated'), active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
  ConfirmFulfillment: {
    none: NOT_FOUND,
    pending: accepts('FulfillmentConfirmed'),
    active: nothing,
    suspended: refuses('subscription-suspended'),
    trial: nothing,
    deleted: refuses('subscription-unsubscribed'),
  },
  // Pending here has neither the licenses nor the fulfilment yet.
  StartBilling: { none: NOT_FOUND, pending: nothing, active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
  StartBillingCycle: { none: nothing, pending: nothing, active: accepts('BillingCycleStarted'), suspended: accepts('BillingCycleSkipped'), trial: nothing, deleted: nothing },
  RequirePublisherAction: {
    none: NOT_FOUND,
    pending: accepts('PublisherActionRequired'),
    active: accepts('PublisherActionRequired'),
    suspended: accepts('PublisherActionRequired'),
    trial: accepts('PublisherActionRequired'),
    deleted: refuses('subscription-deleted'),
  },
  ResolvePublisherAction: { none: NOT_FOUND, pending: nothing, active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
  // The publisher answering the Suspend operation: only the suspended subscription has it, and it is over.
  AcceptOperation: {
    none: NOT_FOUND,
    pending: refuses('operation-not-found'),
    active: refuses('operation-not-found'),
    suspended: refuses('operation-not-in-progress'),
    trial: refuses('operation-not-found'),
    deleted: refuses('operation-not-found'),
  },
  RejectOperation: {
    none: NOT_FOUND,
    pending: refuses('operation-not-found'),
    active: refuses('operation-not-found'),
    suspended: refuses('operation-not-in-progress'),
    trial: refuses('operation-not-found'),
    deleted: refuses('operation-not-found'),
  },
  RenewSubscription: { none: nothing, pending: nothing, active: accepts('SubscriptionRenewed'), suspended: nothing, trial: nothing, deleted: nothing },
  SuspendSubscription: {
    none: NOT_FOUND,
    pending: refuses('subscription-not-suspendable'),
    active: accepts('SubscriptionSuspended'),
    suspended: nothing,
    trial: accepts('SubscriptionSuspended'),
    deleted: refuses('subscription-deleted'),
  },
  RequestReinstatement: {
    none: NOT_FOUND,
    pending: refuses('subscription-not-suspended'),
    active: nothing,
    suspended: accepts('ReinstatementRequested'),
    trial: nothing,
    deleted: refuses('subscription-deleted'),
  },
  ExpireSuspension: { none: nothing, pending: nothing, active: nothing, suspended: accepts('Cancelled'), trial: nothing, deleted: nothing },
  ScheduleNextTerm: {
    none: NOT_FOUND,
    pending: accepts('NextTermScheduled'),
    active: accepts('NextTermScheduled'),
    suspended: refuses('subscription-suspended'),
    trial: accepts('NextTermScheduled'),
    deleted: refuses('subscription-deleted'),
  },
  // Nothing is scheduled in any state here.
  ClearNextTerm: { none: NOT_FOUND, pending: nothing, active: nothing, suspended: nothing, trial: nothing, deleted: nothing },
};

const label = (outcome: Outcome): string =>
  'refuses' in outcome ? `refuses ${outcome.refuses}` : outcome.accepts.length === 0 ? 'nothing' : outcome.accepts.join(', ');

describe('subscription state machine: every state × every command', () => {
  it('has a command of its own type, and a cell for every state, in every row', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(COMMANDS).sort());
    for (const [type, command] of Object.entries(COMMANDS)) expect(command.type).toBe(type);
    for (const row of Object.values(EXPECTED)) expect(Object.keys(row).sort()).toEqual([...STATE_NAMES].sort());
  });

  describe.each(STATE_NAMES)('%s', (state) => {
    const cells = (Object.keys(COMMANDS) as CommandType[]).map((type) => ({ type, outcome: EXPECTED[type][state], expected: label(EXPECTED[type][state]) }));

    it.each(cells)('$type → $expected', ({ type, outcome }) => {
      const given = spec.given(STATES[state]);
      if ('refuses' in outcome) {
        given.when(COMMANDS[type]).thenThrows(outcome.refuses);
        return;
      }
      const events = subscriptionDecider.decide(COMMANDS[type], given.state());
      expect(events.map((event) => event.type)).toEqual(outcome.accepts);
      // What is decided must fold: evolve is total.
      expect(() => events.reduce(subscriptionDecider.evolve, given.state())).not.toThrow();
    });
  });
});
