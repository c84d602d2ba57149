import type { Catalog } from '@mfh/config';
import {
  DomainError,
  ExistingSubscription,
  pendingOperation,
  SubscriptionCommand,
  SubscriptionErrors,
  SubscriptionEvent,
  subscriptionDecider,
} from '@mfh/domain';
import { isAvailable } from './saas-plans';
import type { SaasActivateRequest, SaasUpdateOperationRequest, SaasUpdateSubscriptionRequest } from './dto/saas-requests.dto';

/** Rules of the fulfillment API that the subscription decider leaves to its edge. */
export const PublisherErrors = {
  planOrQuantity: () =>
    new DomainError('plan-or-quantity', 'validation', 'Send either planId or quantity, not both and not neither (Microsoft: one change per call).'),
  quantityUnchanged: (quantity: number) =>
    new DomainError('quantity-unchanged', 'validation', `The subscription already has ${quantity} seats.`, {}, 'quantity'),
  quantityRequired: () =>
    new DomainError('quantity-required', 'validation', 'quantity is required: the plan is priced per seat.', {}, 'quantity'),
  planNotAvailable: (planId: string) =>
    new DomainError('plan-not-available', 'validation', `Plan ${planId} is not available to this subscription; listAvailablePlans shows those that are.`, {}, 'planId'),
  operationMismatch: (field: 'planId' | 'quantity', expected: string | number) =>
    new DomainError('operation-mismatch', 'validation', `${field} does not match the operation (${String(expected)}).`, { expected }, field),
};

export interface CommandContext {
  now: string;
  /** The id a new operation gets. */
  operationId: string;
}

const decide = (command: SubscriptionCommand, state: ExistingSubscription): SubscriptionEvent[] => subscriptionDecider.decide(command, state);

function planOf(catalog: Catalog, state: ExistingSubscription, planId: string) {
  const plan = catalog.plan(state.offerId, planId);
  if (!plan || !isAvailable(plan, state.planId)) throw PublisherErrors.planNotAvailable(planId);
  return plan;
}

/** Activate: confirms fulfilment of exactly what was bought; `quantity` may be left out only for a plan not priced per seat. */
export function activate(state: ExistingSubscription, request: SaasActivateRequest, catalog: Catalog): SubscriptionEvent[] {
  if (state.status === 'deleted') throw SubscriptionErrors.unsubscribed();
  const perSeat = catalog.plan(state.offerId, state.planId)?.isPricePerSeat ?? true;
  const quantity = request.quantity ?? (perSeat ? undefined : state.quantity);
  if (quantity === undefined) throw PublisherErrors.quantityRequired();
  return decide({ type: 'ConfirmFulfillment', data: { planId: request.planId, quantity } }, state);
}

/**
 * A publisher's plan or seat change, which waits as an operation. Asking again for what already
 * waits is answered with that operation; asking for what already holds is refused, as Microsoft does.
 */
export function changeSubscription(
  state: ExistingSubscription,
  request: SaasUpdateSubscriptionRequest,
  catalog: Catalog,
  context: CommandContext,
): SubscriptionEvent[] {
  if (request.planId !== undefined) {
    const plan = planOf(catalog, state, request.planId);
    const limits = { minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity };
    return decide({ type: 'ChangePlan', data: { planId: plan.id, limits, requestedBy: 'Publisher', ...context } }, state);
  }
  const quantity = request.quantity!;
  const plan = planOf(catalog, state, state.planId);
  const limits = { minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity };
  const events = decide({ type: 'ChangeSeats', data: { quantity, limits, requestedBy: 'Publisher', ...context } }, state);
  if (events.length === 0 && pendingOperation(state)?.action !== 'ChangeQuantity') throw PublisherErrors.quantityUnchanged(state.quantity);
  return events;
}

export function requestCancellation(state: ExistingSubscription, context: CommandContext): SubscriptionEvent[] {
  return decide({ type: 'RequestCancellation', data: { requestedBy: 'Publisher', ...context } }, state);
}

/** PATCH on an operation: Success accepts it, Failure rejects it; a plan or quantity sent along must be the operation's. */
export function answerOperation(
  state: ExistingSubscription,
  operationId: string,
  request: SaasUpdateOperationRequest,
  now: string,
): SubscriptionEvent[] {
  const events =
    request.status === 'Success'
      ? decide({ type: 'AcceptOperation', data: { operationId, now } }, state)
      : decide({ type: 'RejectOperation', data: { operationId, reason: 'The publisher answered Failure.', now } }, state);
  const operation = state.operations.find((op) => op.id === operationId);
  if (!operation) throw SubscriptionErrors.operationNotFound();
  if (request.planId !== undefined && request.planId !== operation.planId) throw PublisherErrors.operationMismatch('planId', operation.planId);
  if (request.quantity !== undefined && request.quantity !== operation.quantity) {
    throw PublisherErrors.operationMismatch('quantity', operation.quantity);
  }
  return events;
}
