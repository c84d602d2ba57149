import { DomainError } from '../errors';

export const SubscriptionErrors = {
  notFound: () => new DomainError('subscription-not-found', 'not-found', 'The subscription does not exist.'),
  alreadyExists: () => new DomainError('subscription-exists', 'conflict', 'A subscription with this id already exists.'),
  deleted: () =>
    new DomainError('subscription-deleted', 'rule', 'The subscription is cancelled; nothing about it can change any more.'),
  unsubscribed: () => new DomainError('subscription-unsubscribed', 'not-found', 'The subscription is cancelled (Unsubscribed).'),
  invalidFriendlyName: () =>
    new DomainError('invalid-friendly-name', 'validation', 'friendlyName must be 1 to 128 characters after trimming.', {}, 'friendlyName'),
  quantityOutOfRange: (min: number, max: number) =>
    new DomainError(
      'quantity-out-of-range',
      'validation',
      `quantity must be a whole number from ${min} to ${max} for this plan.`,
      { minQuantity: min, maxQuantity: max },
      'quantity',
    ),
  invalidMpnId: () =>
    new DomainError(
      'invalid-mpn-id',
      'validation',
      'partnerId (the indirect reseller MPN ID) must be 6 to 10 digits, or null.',
      {},
      'indirectResellerId',
    ),
  invalidBillingCycle: () =>
    new DomainError('invalid-billing-cycle', 'validation', 'A P1M term can only be billed monthly.', {}, 'billingCycle'),
  cancellationWindowClosed: (until: string) =>
    new DomainError(
      'cancellation-window-closed',
      'rule',
      `The cancellation window closed at ${until}. Turn auto-renew off instead (PATCH autoRenewEnabled: false) so the subscription ends with its term.`,
      { cancellationAllowedUntilDate: until },
    ),
  blockedByPublisher: (operation: string, reason: string, url: string) =>
    new DomainError(
      'blocked-by-publisher-action',
      'rule',
      `The publisher requires an action before ${operation} is possible: ${reason}`,
      { operation, reason, url },
    ),
  operationPending: (operationId: string) =>
    new DomainError('operation-pending', 'rule', 'Another change is still waiting for the publisher; only one may be pending.', {
      operationId,
    }),
  operationNotFound: () => new DomainError('operation-not-found', 'not-found', 'The operation does not exist.'),
  operationNotInProgress: (status: string) =>
    new DomainError('operation-not-in-progress', 'conflict', `The operation is no longer InProgress (it is ${status}).`, {
      // Not `status`: that member of a problem document is the HTTP status.
      operationStatus: status,
    }),
  invalidAssignedSeats: (quantity: number) =>
    new DomainError('invalid-assigned-seats', 'validation', `assignedSeats must be a whole number from 1 to ${quantity}.`, {}, 'assignedSeats'),
  fulfillmentMismatch: (field: 'planId' | 'quantity', expected: string | number) =>
    new DomainError(
      'fulfillment-mismatch',
      'validation',
      `${field} does not match the subscription (${String(expected)}).`,
      { field, expected },
      field,
    ),
  notActive: (status: string) =>
    new DomainError(
      'subscription-not-active',
      'validation',
      `Only a Subscribed subscription can be changed this way; this one is ${status}.`,
      { saasSubscriptionStatus: status },
    ),
  planUnchanged: (planId: string) =>
    new DomainError('plan-unchanged', 'validation', `The subscription is already on plan ${planId}.`, {}, 'planId'),
  planOrQuantity: () =>
    new DomainError('plan-or-quantity', 'validation', 'Send either planId or quantity, not both and not neither (Microsoft: one change per call).'),
  quantityUnchanged: (quantity: number) =>
    new DomainError('quantity-unchanged', 'validation', `The subscription already has ${quantity} seats.`, {}, 'quantity'),
  quantityRequired: () =>
    new DomainError('quantity-required', 'validation', 'quantity is required: the plan is priced per seat.', {}, 'quantity'),
  planNotAvailable: (planId: string) =>
    new DomainError('plan-not-available', 'validation', `Plan ${planId} is not available to this subscription; listAvailablePlans shows those that are.`, {}, 'planId'),
  planWithdrawn: (planId: string) =>
    new DomainError(
      'plan-withdrawn',
      'rule',
      `Plan ${planId} is no longer in the catalog, so its seat limits are unknown and the seats cannot change.`,
      { planId },
    ),
  operationMismatch: (field: 'planId' | 'quantity', expected: string | number) =>
    new DomainError('operation-mismatch', 'validation', `${field} does not match the operation (${String(expected)}).`, { expected }, field),
  suspended: () =>
    new DomainError(
      'subscription-suspended',
      'rule',
      'The subscription is suspended: seats, plan, activation and renewal wait until it is reinstated (PATCH status: active). It can still be cancelled.',
    ),
  notSuspendable: (status: string) =>
    new DomainError('subscription-not-suspendable', 'rule', `Only an active subscription, one whose billing has started, can be suspended; this one is ${status}.`, {
      subscriptionStatus: status,
    }),
  notSuspended: (status: string) =>
    new DomainError('subscription-not-suspended', 'rule', `Only a suspended subscription can be reinstated; this one is ${status}.`, { subscriptionStatus: status }),
  graceExpired: (graceEndsAt: string) =>
    new DomainError(
      'suspension-grace-expired',
      'rule',
      `The suspension's grace period ended at ${graceEndsAt}; the subscription is being cancelled and cannot be reinstated.`,
      { graceEndsAt },
    ),
  inFreeTrial: () =>
    new DomainError(
      'subscription-in-free-trial',
      'rule',
      'The subscription is in its free trial: its plan can change once the trial has converted to the paid term.',
    ),
  invalidSuspensionReasons: () =>
    new DomainError(
      'invalid-suspension-reasons',
      'validation',
      'suspensionReasons must list one or more of nonpayment, fraud and other.',
      {},
      'suspensionReasons',
    ),
  invalidAction: () =>
    new DomainError('invalid-publisher-action', 'validation', 'An action needs a reason (1 to 1000 characters) and a URL.', {}, 'reason'),
  nextTermNeedsAutoRenew: () =>
    new DomainError(
      'next-term-needs-auto-renew',
      'rule',
      'Changes at renewal need auto-renew on: with it off the subscription ends with its term. Turn it on (autoRenewEnabled: true) first, or in the same PATCH.',
    ),
  nextTermEmpty: () =>
    new DomainError(
      'empty-next-term-instructions',
      'validation',
      'send at least one of planId, quantity, termDuration, billingCycle (null clears the instructions).',
    ),
  termNotSold: (termDuration: string, planId: string) =>
    new DomainError('unavailable-term', 'validation', `${termDuration} is not sold for plan ${planId} of this offer.`, {}, 'termDuration'),
  billingCycleNotSold: (termDuration: string, billingCycle: string, sold: readonly string[]) =>
    new DomainError(
      'unavailable-billing-cycle',
      'validation',
      `${termDuration} is not sold billed ${billingCycle} for this offer; it is sold billed ${sold.join(', ')}.`,
      { billingCycles: [...sold] },
      'billingCycle',
    ),
};
