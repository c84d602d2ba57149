import type { Decider } from '../decider';
import { fromCents, toCents } from '../shared/money';
import { addMilliseconds, dateOf, isAfter, termEndDate } from '../shared/time';
import type * as C from './subscription.commands';
import { SubscriptionErrors as Errors } from './subscription.errors';
import type { BlockableOperation, SubscriptionEvent } from './subscription.events';
import {
  ExistingSubscription,
  SubscriptionState,
  evolveSubscription,
  initialSubscriptionState,
  pendingOperation,
} from './subscription.state';

type Events = SubscriptionEvent[];

const MPN_ID = /^\d{6,10}$/;
const MAX_FRIENDLY_NAME = 128;

export function decideSubscription(command: C.SubscriptionCommand, state: SubscriptionState): Events {
  switch (command.type) {
    case 'PurchaseSubscription':
      return purchase(command, state);
    case 'RenameSubscription':
      return rename(command, existing(state));
    case 'ChangeSeats':
      return changeSeats(command, existing(state));
    case 'DisableAutoRenew':
      return setAutoRenew(false, existing(state));
    case 'EnableAutoRenew':
      return setAutoRenew(true, existing(state));
    case 'AssignIndirectReseller':
      return assignIndirectReseller(command, existing(state));
    case 'RemoveIndirectReseller':
      return removeIndirectReseller(existing(state));
    case 'CancelSubscription':
      return cancel(command, existing(state));
    case 'RecordLicensesAssigned':
      return recordLicensesAssigned(command, existing(state));
    case 'ConfirmFulfillment':
      return confirmFulfillment(command, existing(state));
    case 'StartBilling':
      return startBilling(command, existing(state));
    case 'RequirePublisherAction':
      return requireAction(command, existing(state));
    case 'ResolvePublisherAction':
      return resolveAction(existing(state));
    case 'AcceptSeatChange':
      return acceptSeatChange(command, existing(state));
    case 'RejectSeatChange':
      return rejectSeatChange(command, existing(state));
    default:
      return unknownCommand(command);
  }
}

export const subscriptionDecider: Decider<SubscriptionState, C.SubscriptionCommand, SubscriptionEvent> = {
  decide: decideSubscription,
  evolve: evolveSubscription,
  initialState: initialSubscriptionState,
};

function existing(state: SubscriptionState): ExistingSubscription {
  if (state.status === 'none') throw Errors.notFound();
  return state;
}

/** The partner's change may not touch a cancelled subscription nor what the publisher's open action blocks. */
function assertChangeable(state: ExistingSubscription, operation: BlockableOperation): void {
  if (state.status === 'deleted') throw Errors.deleted();
  if (state.action?.blockedOperations.includes(operation)) {
    throw Errors.blockedByPublisher(operation, state.action.reason, state.action.url);
  }
}

function normaliseFriendlyName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > MAX_FRIENDLY_NAME) throw Errors.invalidFriendlyName();
  return name;
}

function assertQuantity(quantity: number, limits: C.PlanLimits): void {
  if (!Number.isInteger(quantity) || quantity < limits.minQuantity || quantity > limits.maxQuantity) {
    throw Errors.quantityOutOfRange(limits.minQuantity, limits.maxQuantity);
  }
}

function purchase({ data }: C.PurchaseSubscription, state: SubscriptionState): Events {
  if (state.status !== 'none') {
    if (state.orderId === data.orderId && state.lineItemNumber === data.lineItemNumber) return [];
    throw Errors.alreadyExists();
  }
  const friendlyName = normaliseFriendlyName(data.friendlyName);
  assertQuantity(data.quantity, data.limits);
  if (data.termDuration === 'P1M' && data.billingCycle !== 'monthly') throw Errors.invalidBillingCycle();
  if (data.indirectResellerId !== null && !MPN_ID.test(data.indirectResellerId)) throw Errors.invalidMpnId();
  return [
    {
      type: 'SubscriptionPurchased',
      data: {
        subscriptionId: data.subscriptionId,
        customerId: data.customerId,
        partnerId: data.partnerId,
        orderId: data.orderId,
        lineItemNumber: data.lineItemNumber,
        offerId: data.offerId,
        offerName: data.offerName,
        planId: data.planId,
        publisherId: data.publisherId,
        publisherName: data.publisherName,
        quantity: data.quantity,
        termDuration: data.termDuration,
        billingCycle: data.billingCycle,
        friendlyName,
        indirectResellerId: data.indirectResellerId,
        autoRenewEnabled: true,
        unitPrice: data.unitPrice,
        currency: data.currency,
        purchasedAt: data.now,
        cancellationAllowedUntil: addMilliseconds(data.now, data.cancellationWindowMs),
      },
    },
  ];
}

function rename({ data }: C.RenameSubscription, state: ExistingSubscription): Events {
  const friendlyName = normaliseFriendlyName(data.friendlyName);
  if (friendlyName === state.friendlyName) return [];
  assertChangeable(state, 'rename');
  return [{ type: 'SubscriptionRenamed', data: { friendlyName, previousFriendlyName: state.friendlyName } }];
}

function changeSeats({ data }: C.ChangeSeats, state: ExistingSubscription): Events {
  assertQuantity(data.quantity, data.limits);
  const pending = pendingOperation(state);
  if (pending ? pending.quantity === data.quantity : data.quantity === state.quantity) return [];
  if (data.requestedBy === 'Partner') assertChangeable(state, 'changeSeats');
  else if (state.status === 'deleted') throw Errors.deleted();
  if (pending) throw Errors.operationPending(pending.id);

  if (state.status === 'pending') {
    return [
      {
        type: 'SeatsChanged',
        data: { quantity: data.quantity, previousQuantity: state.quantity, operationId: null, changedAt: data.now },
      },
    ];
  }
  return [
    {
      type: 'SeatChangeRequested',
      data: {
        operationId: data.operationId,
        quantity: data.quantity,
        previousQuantity: state.quantity,
        requestedBy: data.requestedBy,
        requestedAt: data.now,
      },
    },
  ];
}

function setAutoRenew(enabled: boolean, state: ExistingSubscription): Events {
  if (state.autoRenewEnabled === enabled) return [];
  assertChangeable(state, 'changeAutoRenew');
  return enabled ? [{ type: 'AutoRenewEnabled', data: {} }] : [{ type: 'AutoRenewDisabled', data: {} }];
}

function assignIndirectReseller({ data }: C.AssignIndirectReseller, state: ExistingSubscription): Events {
  if (!MPN_ID.test(data.mpnId)) throw Errors.invalidMpnId();
  if (state.indirectResellerId === data.mpnId) return [];
  assertChangeable(state, 'changeIndirectReseller');
  return [{ type: 'IndirectResellerAssigned', data: { mpnId: data.mpnId, previousMpnId: state.indirectResellerId } }];
}

function removeIndirectReseller(state: ExistingSubscription): Events {
  if (state.indirectResellerId === null) return [];
  assertChangeable(state, 'changeIndirectReseller');
  return [{ type: 'IndirectResellerRemoved', data: { mpnId: state.indirectResellerId } }];
}

function cancel({ data }: C.CancelSubscription, state: ExistingSubscription): Events {
  if (state.status === 'deleted') return [];
  const insideWindow = !isAfter(data.now, state.cancellationAllowedUntil);
  if (data.requestedBy === 'Partner') {
    assertChangeable(state, 'cancel');
    if (!insideWindow) throw Errors.cancellationWindowClosed(state.cancellationAllowedUntil);
  }
  const charged = state.status === 'active' ? state.billing.chargedAmount : null;
  const refund = insideWindow && charged !== null ? { amount: charged, currency: state.currency } : null;
  return [
    {
      type: 'Cancelled',
      data: {
        cancelledAt: data.now,
        requestedBy: data.requestedBy,
        refund,
        abandonedOperationId: pendingOperation(state)?.id ?? null,
      },
    },
  ];
}

function recordLicensesAssigned({ data }: C.RecordLicensesAssigned, state: ExistingSubscription): Events {
  if (state.licensesAssigned) return [];
  if (state.status === 'deleted') throw Errors.deleted();
  if (!Number.isInteger(data.assignedSeats) || data.assignedSeats < 1 || data.assignedSeats > state.quantity) {
    throw Errors.invalidAssignedSeats(state.quantity);
  }
  return [{ type: 'PublisherActivated', data: { assignedSeats: data.assignedSeats } }];
}

function confirmFulfillment({ data }: C.ConfirmFulfillment, state: ExistingSubscription): Events {
  if (state.status === 'deleted') throw Errors.unsubscribed();
  if (data.planId !== state.planId) throw Errors.fulfillmentMismatch('planId', state.planId);
  if (data.quantity !== state.quantity) throw Errors.fulfillmentMismatch('quantity', state.quantity);
  if (state.fulfillmentConfirmed) return [];
  return [{ type: 'FulfillmentConfirmed', data: { planId: data.planId, quantity: data.quantity } }];
}

function startBilling({ data }: C.StartBilling, state: ExistingSubscription): Events {
  if (state.status !== 'pending') return [];
  if (!state.licensesAssigned || !state.fulfillmentConfirmed) throw Errors.billingConditionsUnmet();
  const termStart = dateOf(data.now);
  const cyclesPerTerm = state.termDuration === 'P1Y' && state.billingCycle === 'monthly' ? 12 : 1;
  const charged = Math.round((toCents(state.unitPrice) * state.quantity) / cyclesPerTerm);
  return [
    {
      type: 'BillingStarted',
      data: {
        termStart,
        termEnd: termEndDate(termStart, state.termDuration),
        quantity: state.quantity,
        unitPrice: state.unitPrice,
        currency: state.currency,
        billingCycle: state.billingCycle,
        chargedAmount: fromCents(charged),
      },
    },
  ];
}

function requireAction({ data }: C.RequirePublisherAction, state: ExistingSubscription): Events {
  const reason = data.reason.trim();
  if (reason.length < 1 || reason.length > 1000 || data.url.trim().length === 0) throw Errors.invalidAction();
  if (state.status === 'deleted') throw Errors.deleted();
  const blockedOperations = [...new Set(data.blockedOperations)].sort();
  const current = state.action;
  if (
    current &&
    current.reason === reason &&
    current.url === data.url &&
    current.blockedOperations.join() === blockedOperations.join()
  ) {
    return [];
  }
  return [{ type: 'PublisherActionRequired', data: { reason, url: data.url, blockedOperations } }];
}

function resolveAction(state: ExistingSubscription): Events {
  if (state.action === null) return [];
  return [{ type: 'PublisherActionResolved', data: {} }];
}

function operationInProgress(state: ExistingSubscription, operationId: string) {
  const operation = state.operations.find((op) => op.id === operationId);
  if (!operation) throw Errors.operationNotFound();
  if (operation.status !== 'InProgress') throw Errors.operationNotInProgress(operation.status);
  return operation;
}

function acceptSeatChange({ data }: C.AcceptSeatChange, state: ExistingSubscription): Events {
  const operation = operationInProgress(state, data.operationId);
  return [
    {
      type: 'SeatsChanged',
      data: { quantity: operation.quantity, previousQuantity: state.quantity, operationId: operation.id, changedAt: data.now },
    },
  ];
}

function rejectSeatChange({ data }: C.RejectSeatChange, state: ExistingSubscription): Events {
  const operation = operationInProgress(state, data.operationId);
  return [
    {
      type: 'SeatChangeRejected',
      data: { operationId: operation.id, quantity: operation.quantity, reason: data.reason, rejectedAt: data.now },
    },
  ];
}

function unknownCommand(command: never): Events {
  throw new Error(`Unknown command ${(command as { type: string }).type}`);
}
