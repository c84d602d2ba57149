import { DeciderSpecification, subscriptionPurchased } from '@mfh/testing';
import type * as C from './subscription.commands';
import { subscriptionDecider } from './subscription.decider';
import type * as E from './subscription.events';
import type { Requester, SubscriptionEvent } from './subscription.events';

/** SPEC §13: suspension, reinstatement and the grace after which a suspension cancels. */
const spec = DeciderSpecification.for(subscriptionDecider);

// A year billed monthly: 10 seats at 144.00 a year, 120.00 a month; the window is 14 days.
const PURCHASED_AT = '2025-03-10T09:00:00.000Z';
const WINDOW_CLOSES = '2025-03-24T09:00:00.000Z';
const TERM_END = '2026-03-10';
const GRACE_MS = 30 * 86_400_000;
const SUSPENDED_AT = '2025-03-15T10:00:00.000Z';
const GRACE_ENDS = '2025-04-14T10:00:00.000Z';
const NOW = '2025-03-20T12:00:00.000Z';
const AFTER_WINDOW = '2025-03-24T09:00:00.001Z';
const REINSTATE_AT = '2025-03-22T10:00:00.000Z';
const ANSWERED_AT = '2025-03-22T10:00:05.000Z';

const SUSPEND_OP = 'op-suspend';
const REINSTATE_OP = 'op-reinstate';
const SEATS_OP = 'op-seats';
const CANCEL_OP = 'op-cancel';
const EXPIRE_OP = 'op-expire';
const RENEW_OP = 'op-renew';
const NEW_OP = 'op-new';

const PREMIUM: C.CatalogPlan = { id: 'premium', minQuantity: 1, maxQuantity: 500, isPrivate: false, isPricePerSeat: true };
const STANDARD: C.CatalogPlan = { ...PREMIUM, id: 'standard' };

// --- events -----------------------------------------------------------------------------------

const purchased = (): E.SubscriptionPurchased =>
  subscriptionPurchased({ termDuration: 'P1Y', unitPrice: '144.00', purchasedAt: PURCHASED_AT, cancellationAllowedUntil: WINDOW_CLOSES });
const billingStarted: E.BillingStarted = {
  type: 'BillingStarted',
  data: {
    termStart: '2025-03-11',
    termEnd: TERM_END,
    quantity: 10,
    unitPrice: '144.00',
    currency: 'USD',
    billingCycle: 'monthly',
    chargedAmount: '120.00',
  },
};
const suspended = (overrides: Partial<E.SubscriptionSuspended['data']> = {}): E.SubscriptionSuspended => ({
  type: 'SubscriptionSuspended',
  data: {
    operationId: SUSPEND_OP,
    reasons: ['nonpayment'],
    requestedBy: 'Partner',
    suspendedAt: SUSPENDED_AT,
    graceEndsAt: GRACE_ENDS,
    abandonedOperationId: null,
    ...overrides,
  },
});
const reinstatementRequested = (overrides: Partial<E.ReinstatementRequested['data']> = {}): E.ReinstatementRequested => ({
  type: 'ReinstatementRequested',
  data: { operationId: REINSTATE_OP, requestedBy: 'Partner', requestedAt: REINSTATE_AT, ...overrides },
});
const reinstated = (overrides: Partial<E.SubscriptionReinstated['data']> = {}): E.SubscriptionReinstated => ({
  type: 'SubscriptionReinstated',
  data: { operationId: REINSTATE_OP, reinstatedAt: ANSWERED_AT, termEnd: TERM_END, ...overrides },
});
const reinstatementRejected = (overrides: Partial<E.ReinstatementRejected['data']> = {}): E.ReinstatementRejected => ({
  type: 'ReinstatementRejected',
  data: { operationId: REINSTATE_OP, reason: 'Payment still outstanding', rejectedAt: ANSWERED_AT, ...overrides },
});
const seatChangeRequested: E.SeatChangeRequested = {
  type: 'SeatChangeRequested',
  data: { operationId: SEATS_OP, quantity: 15, previousQuantity: 10, requestedBy: 'Partner', requestedAt: '2025-03-15T09:59:59.000Z' },
};
const cancellationRequested: E.CancellationRequested = {
  type: 'CancellationRequested',
  data: { operationId: CANCEL_OP, requestedBy: 'Publisher', requestedAt: NOW },
};
const graceExpired = (overrides: Partial<E.Cancelled['data']> = {}): E.Cancelled => ({
  type: 'Cancelled',
  data: {
    cancelledAt: GRACE_ENDS,
    requestedBy: 'System',
    refund: null,
    operationId: EXPIRE_OP,
    abandonedOperationId: null,
    cause: 'SuspensionGraceExpired',
    ...overrides,
  },
});
const skipped = (cycleStart: string, cycleEnd: string): E.BillingCycleSkipped => ({
  type: 'BillingCycleSkipped',
  data: { cycleStart, cycleEnd, reason: 'suspended' },
});
const cycleStarted = (cycleStart: string, cycleEnd: string): E.BillingCycleStarted => ({
  type: 'BillingCycleStarted',
  data: { cycleStart, cycleEnd, quantity: 10 },
});
const autoRenewDisabled: E.AutoRenewDisabled = { type: 'AutoRenewDisabled', data: {} };

// --- commands ---------------------------------------------------------------------------------

const suspend = (overrides: Partial<C.SuspendSubscription['data']> = {}): C.SuspendSubscription => ({
  type: 'SuspendSubscription',
  data: { reasons: ['nonpayment'], requestedBy: 'Partner', operationId: SUSPEND_OP, graceMs: GRACE_MS, now: SUSPENDED_AT, ...overrides },
});
const requestReinstatement = (overrides: Partial<C.RequestReinstatement['data']> = {}): C.RequestReinstatement => ({
  type: 'RequestReinstatement',
  data: { requestedBy: 'Partner', operationId: REINSTATE_OP, now: REINSTATE_AT, ...overrides },
});
const expire = (now = GRACE_ENDS, suspensionOperationId = SUSPEND_OP): C.ExpireSuspension => ({
  type: 'ExpireSuspension',
  data: { suspensionOperationId, operationId: EXPIRE_OP, now },
});
const accept = (operationId: string, answeredBy: 'Publisher' | 'Timeout' = 'Publisher', now = ANSWERED_AT): C.AcceptOperation => ({
  type: 'AcceptOperation',
  data: { operationId, now, answeredBy },
});
const reject = (operationId: string, answeredBy: 'Publisher' | 'Notification' = 'Publisher'): C.RejectOperation => ({
  type: 'RejectOperation',
  data: { operationId, reason: 'Payment still outstanding', now: ANSWERED_AT, answeredBy },
});
const cancel = (now = NOW, requestedBy: Requester = 'Partner'): C.CancelSubscription => ({
  type: 'CancelSubscription',
  data: { requestedBy, operationId: CANCEL_OP, now },
});
const startCycle = (cycleStart: string, now = `${cycleStart}T00:00:00.000Z`): C.StartBillingCycle => ({
  type: 'StartBillingCycle',
  data: { cycleStart, now },
});
const renew = (now = '2026-03-11T00:00:00.000Z'): C.RenewSubscription => ({
  type: 'RenewSubscription',
  data: { operationId: RENEW_OP, now, termEnd: TERM_END },
});

// --- histories --------------------------------------------------------------------------------

const PENDING: SubscriptionEvent[] = [purchased()];
const ACTIVE: SubscriptionEvent[] = [
  purchased(),
  { type: 'PublisherActivated', data: { assignedSeats: 10 } },
  { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 10 } },
  billingStarted,
];
const SUSPENDED: SubscriptionEvent[] = [...ACTIVE, suspended()];
const WAITING_FOR_REINSTATEMENT: SubscriptionEvent[] = [...SUSPENDED, reinstatementRequested()];
const REINSTATED: SubscriptionEvent[] = [...WAITING_FOR_REINSTATEMENT, reinstated()];
const partnerCancelled: E.Cancelled = {
  type: 'Cancelled',
  data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: CANCEL_OP, abandonedOperationId: null },
};
const DELETED: SubscriptionEvent[] = [...ACTIVE, partnerCancelled];

describe('subscription suspension', () => {
  describe('SuspendSubscription', () => {
    it('suspends an active subscription, its reasons deduplicated and sorted, its grace ending graceMs from now', () => {
      spec
        .given(ACTIVE)
        .when(suspend({ reasons: ['other', 'nonpayment', 'other'], requestedBy: 'System' }))
        .then([suspended({ reasons: ['nonpayment', 'other'], requestedBy: 'System' })]);
    });

    it('takes the grace from the command', () => {
      spec
        .given(ACTIVE)
        .when(suspend({ graceMs: 86_400_000 }))
        .then([suspended({ graceEndsAt: '2025-03-16T10:00:00.000Z' })]);
    });

    it('abandons a seat change still waiting for the publisher, which fails with the suspension', () => {
      const history = [...ACTIVE, seatChangeRequested];
      spec.given(history).when(suspend()).then([suspended({ abandonedOperationId: SEATS_OP })]);

      const state = spec.given([...history, suspended({ abandonedOperationId: SEATS_OP })]).state();
      expect(state.status === 'suspended' && state.operations).toEqual([
        expect.objectContaining({ id: SEATS_OP, action: 'ChangeQuantity', status: 'Failed', completedAt: SUSPENDED_AT, reason: 'Subscription suspended' }),
        expect.objectContaining({ id: SUSPEND_OP, action: 'Suspend', status: 'Succeeded' }),
      ]);
    });

    it('leaves the publisher nothing to answer on the abandoned seat change', () => {
      const history = [...ACTIVE, seatChangeRequested, suspended({ abandonedOperationId: SEATS_OP })];
      spec.given(history).when(accept(SEATS_OP)).thenThrows('operation-not-in-progress', 'conflict');
      spec.given(history).when(accept(SEATS_OP, 'Timeout')).thenNothing();
    });

    it('treats suspending a suspended subscription as a no-op, whatever reasons it gives', () => {
      spec.given(SUSPENDED).when(suspend({ operationId: NEW_OP, reasons: ['fraud'], now: NOW })).thenNothing();
    });

    it('refuses a pending subscription: its billing has not started', () => {
      const error = spec.given(PENDING).when(suspend()).thenThrows('subscription-not-suspendable', 'rule');
      expect(error.extensions).toEqual({ subscriptionStatus: 'pending' });
    });

    it('refuses a cancelled subscription as subscription-deleted', () => {
      spec.given(DELETED).when(suspend()).thenThrows('subscription-deleted', 'rule');
    });

    it('refuses no subscription as subscription-not-found', () => {
      spec.when(suspend()).thenThrows('subscription-not-found', 'not-found');
    });

    it.each<[string, unknown]>([
      ['no reasons', []],
      ['an unknown reason', ['late']],
      ['an unknown reason among known ones', ['nonpayment', 'late']],
      ['a string instead of a list', 'nonpayment'],
      ['null', null],
    ])('refuses %s as invalid-suspension-reasons', (_case, reasons) => {
      const error = spec
        .given(ACTIVE)
        .when(suspend({ reasons: reasons as readonly string[] }))
        .thenThrows('invalid-suspension-reasons', 'validation');
      expect(error.field).toBe('suspensionReasons');
    });
  });

  describe('while suspended', () => {
    const given = spec.given(SUSPENDED);

    it.each<[string, C.SubscriptionCommand]>([
      ['a partner seat change', { type: 'ChangeSeats', data: { quantity: 25, limits: { minQuantity: 1, maxQuantity: 500 }, operationId: NEW_OP, requestedBy: 'Partner', now: NOW } }],
      [
        'a publisher seat change',
        {
          type: 'ChangeSubscription',
          data: { planId: null, quantity: 25, plans: [STANDARD, PREMIUM], operationId: NEW_OP, requestedBy: 'Publisher', now: NOW },
        },
      ],
      ['a plan change', { type: 'ChangePlan', data: { planId: 'premium', plan: PREMIUM, operationId: NEW_OP, requestedBy: 'Publisher', now: NOW } }],
      [
        'a publisher plan change',
        {
          type: 'ChangeSubscription',
          data: { planId: 'premium', quantity: null, plans: [STANDARD, PREMIUM], operationId: NEW_OP, requestedBy: 'Publisher', now: NOW },
        },
      ],
      ['activation', { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 10, pricedPerSeat: true } }],
    ])('refuses %s as subscription-suspended', (_case, command) => {
      given.when(command).thenThrows('subscription-suspended', 'rule');
    });

    it('renames', () => {
      given
        .when({ type: 'RenameSubscription', data: { friendlyName: 'CRM on hold' } })
        .then([{ type: 'SubscriptionRenamed', data: { friendlyName: 'CRM on hold', previousFriendlyName: 'CRM for Fabrikam' } }]);
    });

    it('turns auto-renew off and on again', () => {
      given.when({ type: 'DisableAutoRenew', data: {} }).then([autoRenewDisabled]);
      spec.given([...SUSPENDED, autoRenewDisabled]).when({ type: 'EnableAutoRenew', data: {} }).then([{ type: 'AutoRenewEnabled', data: {} }]);
    });

    it('assigns and removes the indirect reseller', () => {
      const assigned: E.IndirectResellerAssigned = { type: 'IndirectResellerAssigned', data: { mpnId: '1234567', previousMpnId: null } };
      given.when({ type: 'AssignIndirectReseller', data: { mpnId: '1234567' } }).then([assigned]);
      spec
        .given([...SUSPENDED, assigned])
        .when({ type: 'RemoveIndirectReseller', data: {} })
        .then([{ type: 'IndirectResellerRemoved', data: { mpnId: '1234567' } }]);
    });

    it('lets the partner cancel inside the window, refunding what the term charged', () => {
      given.when(cancel()).then([
        {
          type: 'Cancelled',
          data: { cancelledAt: NOW, requestedBy: 'Partner', refund: { amount: '120.00', currency: 'USD' }, operationId: CANCEL_OP, abandonedOperationId: null },
        },
      ]);
      const [event] = subscriptionDecider.decide(cancel(), given.state());
      expect(event.data).not.toHaveProperty('cause');
    });

    it('ends a reinstatement still waiting when the partner cancels', () => {
      spec
        .given(WAITING_FOR_REINSTATEMENT)
        .when(cancel(ANSWERED_AT))
        .then([
          {
            type: 'Cancelled',
            data: {
              cancelledAt: ANSWERED_AT,
              requestedBy: 'Partner',
              refund: { amount: '120.00', currency: 'USD' },
              operationId: CANCEL_OP,
              abandonedOperationId: REINSTATE_OP,
            },
          },
        ]);
    });

    it('keeps the window: after it the partner is pointed to auto-renew instead', () => {
      given.when(cancel(AFTER_WINDOW)).thenThrows('cancellation-window-closed', 'rule');
    });

    it('takes the publisher’s cancellation request', () => {
      given
        .when({ type: 'RequestCancellation', data: { requestedBy: 'Publisher', operationId: CANCEL_OP, now: NOW } })
        .then([cancellationRequested]);
    });

    it('forgets the suspension once cancelled', () => {
      const state = spec.given([...SUSPENDED, partnerCancelled]).state();
      expect(state).toMatchObject({ status: 'deleted', cancelledBy: 'Partner' });
      expect(state).not.toHaveProperty('suspension');
    });
  });

  describe('billing cycles while suspended (a year billed monthly)', () => {
    it('skips a cycle that begins while suspended, uncharged', () => {
      spec.given(SUSPENDED).when(startCycle('2025-04-11')).then([skipped('2025-04-11', '2025-05-10')]);
    });

    it('skips it once: a resent job appends nothing', () => {
      spec.given([...SUSPENDED, skipped('2025-04-11', '2025-05-10')]).when(startCycle('2025-04-11')).thenNothing();
    });

    it('starts the next cycle normally after reinstatement, and does not catch up the skipped one', () => {
      const history = [...SUSPENDED, skipped('2025-04-11', '2025-05-10'), reinstatementRequested({ requestedAt: '2025-04-12T10:00:00.000Z' })];
      const back = [...history, reinstated({ reinstatedAt: '2025-04-12T10:00:05.000Z' })];
      spec.given(back).when(startCycle('2025-04-11', '2025-04-12T10:00:06.000Z')).thenNothing();
      spec.given(back).when(startCycle('2025-05-11')).then([cycleStarted('2025-05-11', '2025-06-10')]);
    });

    it('keeps the cycle skipped on the state, with what the term charged unchanged', () => {
      expect(spec.given([...SUSPENDED, skipped('2025-04-11', '2025-05-10')]).state()).toMatchObject({
        status: 'suspended',
        billing: { cycleStart: '2025-04-11', cycleEnd: '2025-05-10', chargedAmount: '120.00' },
      });
    });

    it('charges a cycle that began before the suspension even when its job runs after it', () => {
      const late = [...ACTIVE, suspended({ suspendedAt: '2025-04-20T10:00:00.000Z', graceEndsAt: '2025-05-20T10:00:00.000Z' })];
      spec.given(late).when(startCycle('2025-04-11', '2025-04-21T00:00:00.000Z')).then([cycleStarted('2025-04-11', '2025-05-10')]);
    });

    it('charges the cycle that begins at midnight of the day it is suspended later that day', () => {
      const sameDay = [...ACTIVE, suspended({ suspendedAt: '2025-04-11T10:00:00.000Z', graceEndsAt: '2025-05-11T10:00:00.000Z' })];
      spec.given(sameDay).when(startCycle('2025-04-11', '2025-04-11T10:00:01.000Z')).then([cycleStarted('2025-04-11', '2025-05-10')]);
    });

    it('records at reinstatement the cycles begun meanwhile whose jobs have not run: those while suspended skipped, none charged late', () => {
      const longGrace = [...ACTIVE, suspended({ graceEndsAt: '2025-06-14T10:00:00.000Z' })];
      const history = [...longGrace, reinstatementRequested({ requestedAt: '2025-05-12T08:00:00.000Z' })];
      spec
        .given(history)
        .when(accept(REINSTATE_OP, 'Publisher', '2025-05-12T09:00:00.000Z'))
        .then([
          reinstated({ reinstatedAt: '2025-05-12T09:00:00.000Z' }),
          skipped('2025-04-11', '2025-05-10'),
          skipped('2025-05-11', '2025-06-10'),
        ]);
      const back = [...history, reinstated({ reinstatedAt: '2025-05-12T09:00:00.000Z' }), skipped('2025-04-11', '2025-05-10'), skipped('2025-05-11', '2025-06-10')];
      spec.given(back).when(startCycle('2025-05-11', '2025-05-12T09:00:01.000Z')).thenNothing();
    });
  });

  describe('renewal while suspended', () => {
    const LATE_SUSPENSION = suspended({ suspendedAt: '2026-03-01T10:00:00.000Z', graceEndsAt: '2026-03-31T10:00:00.000Z' });

    it('does not renew at the term’s end while auto-renew is on', () => {
      spec.given([...ACTIVE, LATE_SUSPENSION]).when(renew()).thenNothing();
    });

    it('ends the subscription with its term when auto-renew is off', () => {
      const history = [...ACTIVE, autoRenewDisabled, LATE_SUSPENSION];
      spec
        .given(history)
        .when(renew())
        .then([{ type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: '2026-03-11T00:00:00.000Z' } }]);
      const ended = spec
        .given([...history, { type: 'SubscriptionExpired', data: { operationId: RENEW_OP, termEnd: TERM_END, expiredAt: '2026-03-11T00:00:00.000Z' } }])
        .state();
      expect(ended).toMatchObject({ status: 'deleted', cancelledBy: 'System', refund: null });
      expect(ended).not.toHaveProperty('suspension');
    });

    it('renews the term that came due while suspended once reinstated (SubscriptionReinstated names it)', () => {
      const back = [
        ...ACTIVE,
        LATE_SUSPENSION,
        reinstatementRequested({ requestedAt: '2026-03-12T10:00:00.000Z' }),
        reinstated({ reinstatedAt: '2026-03-12T10:00:05.000Z' }),
      ];
      spec
        .given(back)
        .when(renew('2026-03-12T10:00:05.000Z'))
        .then([
          {
            type: 'SubscriptionRenewed',
            data: {
              operationId: RENEW_OP,
              termStart: '2026-03-11',
              termEnd: '2027-03-10',
              quantity: 10,
              chargedAmount: '120.00',
              renewedAt: '2026-03-12T10:00:05.000Z',
            },
          },
        ]);
    });
  });

  describe('RequestReinstatement', () => {
    it('asks the publisher to reinstate a suspended subscription', () => {
      spec.given(SUSPENDED).when(requestReinstatement()).then([reinstatementRequested()]);
    });

    it('records who asked', () => {
      spec.given(SUSPENDED).when(requestReinstatement({ requestedBy: 'System' })).then([reinstatementRequested({ requestedBy: 'System' })]);
    });

    it('treats asking again while the publisher has not answered as a no-op', () => {
      spec.given(WAITING_FOR_REINSTATEMENT).when(requestReinstatement({ operationId: NEW_OP, now: NOW })).thenNothing();
    });

    it('treats reinstating an active subscription as a no-op, before and after a suspension', () => {
      spec.given(ACTIVE).when(requestReinstatement()).thenNothing();
      spec.given(REINSTATED).when(requestReinstatement({ operationId: NEW_OP })).thenNothing();
    });

    it('asks again after the publisher rejected it', () => {
      spec
        .given([...WAITING_FOR_REINSTATEMENT, reinstatementRejected()])
        .when(requestReinstatement({ operationId: NEW_OP, now: '2025-03-26T10:00:00.000Z' }))
        .then([reinstatementRequested({ operationId: NEW_OP, requestedAt: '2025-03-26T10:00:00.000Z' })]);
    });

    it('refuses while the publisher’s cancellation request waits', () => {
      const error = spec.given([...SUSPENDED, cancellationRequested]).when(requestReinstatement()).thenThrows('operation-pending', 'rule');
      expect(error.extensions).toEqual({ operationId: CANCEL_OP });
    });

    it('refuses a pending subscription as subscription-not-suspended', () => {
      const error = spec.given(PENDING).when(requestReinstatement()).thenThrows('subscription-not-suspended', 'rule');
      expect(error.extensions).toEqual({ subscriptionStatus: 'pending' });
    });

    it('refuses a cancelled subscription as subscription-deleted', () => {
      spec.given(DELETED).when(requestReinstatement()).thenThrows('subscription-deleted', 'rule');
    });
  });

  describe('the publisher’s answer to Reinstate', () => {
    it.each(['Publisher', 'Timeout'] as const)('reinstates, back in the current term, when accepted by %s', (answeredBy) => {
      spec.given(WAITING_FOR_REINSTATEMENT).when(accept(REINSTATE_OP, answeredBy)).then([reinstated()]);
    });

    it.each(['Publisher', 'Notification'] as const)('keeps it suspended when rejected by %s', (answeredBy) => {
      spec.given(WAITING_FOR_REINSTATEMENT).when(reject(REINSTATE_OP, answeredBy)).then([reinstatementRejected()]);
    });

    it('accepts a publisher answer whose quantity and plan are the operation’s', () => {
      spec
        .given(WAITING_FOR_REINSTATEMENT)
        .when({ type: 'AcceptOperation', data: { operationId: REINSTATE_OP, now: ANSWERED_AT, answeredBy: 'Publisher', planId: 'standard', quantity: 10 } })
        .then([reinstated()]);
    });

    it('tells the publisher the answer came too late once the operation is over; a timeout then changes nothing', () => {
      for (const history of [REINSTATED, [...WAITING_FOR_REINSTATEMENT, reinstatementRejected()]]) {
        spec.given(history).when(accept(REINSTATE_OP)).thenThrows('operation-not-in-progress', 'conflict');
        spec.given(history).when(reject(REINSTATE_OP)).thenThrows('operation-not-in-progress', 'conflict');
        spec.given(history).when(accept(REINSTATE_OP, 'Timeout')).thenNothing();
        spec.given(history).when(reject(REINSTATE_OP, 'Notification')).thenNothing();
      }
    });

    it('cannot answer the Suspend operation: it is inform-only and already Succeeded', () => {
      for (const command of [accept(SUSPEND_OP), reject(SUSPEND_OP)]) {
        const error = spec.given(SUSPENDED).when(command).thenThrows('operation-not-in-progress', 'conflict');
        expect(error.extensions).toEqual({ operationStatus: 'Succeeded' });
      }
      spec.given(SUSPENDED).when(accept(SUSPEND_OP, 'Timeout')).thenNothing();
      spec.given(SUSPENDED).when(reject(SUSPEND_OP, 'Notification')).thenNothing();
    });
  });

  describe('once the grace has run out', () => {
    it('refuses a reinstatement asked for too late', () => {
      const error = spec.given(SUSPENDED).when(requestReinstatement({ now: GRACE_ENDS })).thenThrows('suspension-grace-expired', 'rule');
      expect(error.extensions).toEqual({ graceEndsAt: GRACE_ENDS });
    });

    it('rejects a waiting reinstatement answered too late, by the publisher or by its timeout, and leaves the cancellation to the grace timer', () => {
      const late = { operationId: REINSTATE_OP, reason: "The suspension's grace period ran out before the reinstatement was accepted.", rejectedAt: GRACE_ENDS };
      spec.given(WAITING_FOR_REINSTATEMENT).when(accept(REINSTATE_OP, 'Publisher', GRACE_ENDS)).then([{ type: 'ReinstatementRejected', data: late }]);
      spec.given(WAITING_FOR_REINSTATEMENT).when(accept(REINSTATE_OP, 'Timeout', GRACE_ENDS)).then([{ type: 'ReinstatementRejected', data: late }]);
      spec.given([...WAITING_FOR_REINSTATEMENT, { type: 'ReinstatementRejected', data: late }]).when(expire()).then([graceExpired()]);
    });
  });

  describe("the publisher's cancellation request", () => {
    it('survives a suspension: cancellation stays allowed', () => {
      const history = [...ACTIVE, { ...cancellationRequested, data: { ...cancellationRequested.data, requestedAt: '2025-03-15T09:00:00.000Z' } }];
      spec.given(history).when(suspend()).then([suspended({ abandonedOperationId: null })]);
    });

    it('is what the grace expiry carries out, as the publisher asked', () => {
      spec
        .given([...SUSPENDED, cancellationRequested])
        .when(expire())
        .then([graceExpired({ operationId: CANCEL_OP, requestedBy: 'Publisher', abandonedOperationId: null })]);
    });
  });

  describe('ExpireSuspension', () => {
    it('changes nothing before the grace ends', () => {
      spec.given(SUSPENDED).when(expire('2025-04-14T09:59:59.999Z')).thenNothing();
    });

    it('cancels, by the system and without refund, at the instant the grace ends', () => {
      spec.given(SUSPENDED).when(expire()).then([graceExpired()]);
    });

    it('cancels when it runs after the grace ended', () => {
      spec.given(SUSPENDED).when(expire('2025-04-15T00:00:00.000Z')).then([graceExpired({ cancelledAt: '2025-04-15T00:00:00.000Z' })]);
    });

    it('refunds nothing even when the grace ends inside the cancellation window', () => {
      const short = [...ACTIVE, suspended({ graceEndsAt: '2025-03-16T10:00:00.000Z' })];
      spec.given(short).when(expire('2025-03-16T10:00:00.000Z')).then([graceExpired({ cancelledAt: '2025-03-16T10:00:00.000Z' })]);
    });

    it('abandons a reinstatement still waiting for the publisher', () => {
      spec.given(WAITING_FOR_REINSTATEMENT).when(expire()).then([graceExpired({ abandonedOperationId: REINSTATE_OP })]);
    });

    it('leaves the publisher nothing to answer on the abandoned reinstatement', () => {
      const history = [...WAITING_FOR_REINSTATEMENT, graceExpired({ abandonedOperationId: REINSTATE_OP })];
      spec.given(history).when(accept(REINSTATE_OP)).thenThrows('operation-not-in-progress', 'conflict');
      spec.given(history).when(accept(REINSTATE_OP, 'Timeout')).thenNothing();
    });

    it('cancels after a rejected reinstatement', () => {
      spec.given([...WAITING_FOR_REINSTATEMENT, reinstatementRejected()]).when(expire()).then([graceExpired()]);
    });

    it('changes nothing once reinstated', () => {
      spec.given(REINSTATED).when(expire()).thenNothing();
    });

    it('acts only for the suspension in force: after a second one, the first one’s id changes nothing', () => {
      const SECOND_OP = 'op-suspend-2';
      const twice = [
        ...REINSTATED,
        suspended({ operationId: SECOND_OP, suspendedAt: '2025-04-01T10:00:00.000Z', graceEndsAt: '2025-05-01T10:00:00.000Z' }),
      ];
      spec.given(twice).when(expire(GRACE_ENDS)).thenNothing();
      spec.given(twice).when(expire('2025-05-02T00:00:00.000Z')).thenNothing();
      spec.given(twice).when(expire('2025-04-30T10:00:00.000Z', SECOND_OP)).thenNothing();
      spec
        .given(twice)
        .when(expire('2025-05-01T10:00:00.000Z', SECOND_OP))
        .then([graceExpired({ cancelledAt: '2025-05-01T10:00:00.000Z' })]);
    });

    it('changes nothing for another suspension’s id', () => {
      spec.given(SUSPENDED).when(expire(GRACE_ENDS, 'op-other')).thenNothing();
    });

    it.each<[string, SubscriptionEvent[]]>([
      ['no subscription', []],
      ['a pending subscription', PENDING],
      ['an active subscription never suspended', ACTIVE],
      ['a subscription the partner cancelled while suspended', [...SUSPENDED, partnerCancelled]],
    ])('changes nothing for %s', (_case, history) => {
      spec.given(history).when(expire()).thenNothing();
    });
  });

  describe('evolve', () => {
    it('suspends: the suspension on the state, the Suspend operation recorded as Succeeded', () => {
      const state = spec.given(SUSPENDED).state();
      expect(state).toMatchObject({
        status: 'suspended',
        suspension: { operationId: SUSPEND_OP, reasons: ['nonpayment'], suspendedAt: SUSPENDED_AT, graceEndsAt: GRACE_ENDS },
        billing: { termEnd: TERM_END, chargedAmount: '120.00' },
      });
      expect(state.status === 'suspended' && state.operations).toEqual([
        {
          id: SUSPEND_OP,
          action: 'Suspend',
          status: 'Succeeded',
          planId: 'standard',
          quantity: 10,
          requestedBy: 'Partner',
          requestedAt: SUSPENDED_AT,
          completedAt: SUSPENDED_AT,
          reason: null,
        },
      ]);
    });

    it('records the reinstatement request as a Reinstate operation InProgress, still suspended', () => {
      const state = spec.given(WAITING_FOR_REINSTATEMENT).state();
      expect(state).toMatchObject({ status: 'suspended', suspension: { operationId: SUSPEND_OP } });
      expect(state.status === 'suspended' && state.operations[1]).toEqual({
        id: REINSTATE_OP,
        action: 'Reinstate',
        status: 'InProgress',
        planId: 'standard',
        quantity: 10,
        requestedBy: 'Partner',
        requestedAt: REINSTATE_AT,
        completedAt: null,
        reason: null,
      });
    });

    it('reinstates: active again, without a suspension, the Reinstate operation Succeeded', () => {
      const state = spec.given(REINSTATED).state();
      expect(state).toMatchObject({ status: 'active', billing: { termEnd: TERM_END } });
      expect(state).not.toHaveProperty('suspension');
      expect(state.status === 'active' && state.operations).toEqual([
        expect.objectContaining({ id: SUSPEND_OP, action: 'Suspend', status: 'Succeeded' }),
        expect.objectContaining({ id: REINSTATE_OP, action: 'Reinstate', status: 'Succeeded', completedAt: ANSWERED_AT, reason: null }),
      ]);
    });

    it('rejects: still suspended, the Reinstate operation Failed with the reason', () => {
      const state = spec.given([...WAITING_FOR_REINSTATEMENT, reinstatementRejected()]).state();
      expect(state).toMatchObject({ status: 'suspended', suspension: { operationId: SUSPEND_OP, graceEndsAt: GRACE_ENDS } });
      expect(state.status === 'suspended' && state.operations[1]).toMatchObject({
        id: REINSTATE_OP,
        status: 'Failed',
        completedAt: ANSWERED_AT,
        reason: 'Payment still outstanding',
      });
    });

    it('ends with the grace: deleted by the system, no refund, no suspension, the waiting Reinstate Failed', () => {
      const state = spec.given([...WAITING_FOR_REINSTATEMENT, graceExpired({ abandonedOperationId: REINSTATE_OP })]).state();
      expect(state).toMatchObject({ status: 'deleted', cancelledAt: GRACE_ENDS, cancelledBy: 'System', refund: null, billing: { termEnd: TERM_END } });
      expect(state).not.toHaveProperty('suspension');
      expect(state.status === 'deleted' && state.operations).toEqual([
        expect.objectContaining({ id: SUSPEND_OP, status: 'Succeeded' }),
        expect.objectContaining({ id: REINSTATE_OP, status: 'Failed', completedAt: GRACE_ENDS, reason: 'Subscription cancelled' }),
        expect.objectContaining({ id: EXPIRE_OP, action: 'Unsubscribe', status: 'Succeeded', requestedBy: 'System', completedAt: GRACE_ENDS }),
      ]);
    });

    it('keeps a second suspension apart from the first', () => {
      const state = spec
        .given([...REINSTATED, suspended({ operationId: 'op-suspend-2', reasons: ['fraud'], suspendedAt: '2025-04-01T10:00:00.000Z', graceEndsAt: '2025-05-01T10:00:00.000Z' })])
        .state();
      expect(state).toMatchObject({
        status: 'suspended',
        suspension: { operationId: 'op-suspend-2', reasons: ['fraud'], suspendedAt: '2025-04-01T10:00:00.000Z', graceEndsAt: '2025-05-01T10:00:00.000Z' },
      });
      expect(state.status === 'suspended' && state.operations.map((op) => [op.id, op.action, op.status])).toEqual([
        [SUSPEND_OP, 'Suspend', 'Succeeded'],
        [REINSTATE_OP, 'Reinstate', 'Succeeded'],
        ['op-suspend-2', 'Suspend', 'Succeeded'],
      ]);
    });

    it('ignores a suspension of a subscription that is not active', () => {
      expect(spec.given([...PENDING, suspended()]).state()).toEqual(spec.given(PENDING).state());
      expect(spec.given([...DELETED, suspended()]).state()).toEqual(spec.given(DELETED).state());
    });
  });
});
