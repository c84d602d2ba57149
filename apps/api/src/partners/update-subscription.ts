import { Catalog } from '@mfh/config';
import { ExistingSubscription, SubscriptionCommand, SubscriptionErrors } from '@mfh/domain';
import type { UpdateSubscriptionRequest } from './dto/subscription.dto';

/**
 * The commands one PATCH stands for, in a fixed order: settings first, then seats, then
 * cancellation. They are decided together, so either all apply or none does.
 */
export function commandsFor(
  request: UpdateSubscriptionRequest,
  state: ExistingSubscription,
  catalog: Catalog,
  context: { now: string; newOperationId: () => string },
): SubscriptionCommand[] {
  const commands: SubscriptionCommand[] = [];
  if (request.friendlyName !== undefined) commands.push({ type: 'RenameSubscription', data: { friendlyName: request.friendlyName } });
  if (request.partnerId !== undefined) {
    commands.push(
      request.partnerId === null
        ? { type: 'RemoveIndirectReseller', data: {} }
        : { type: 'AssignIndirectReseller', data: { mpnId: request.partnerId } },
    );
  }
  if (request.autoRenewEnabled !== undefined) {
    commands.push(request.autoRenewEnabled ? { type: 'EnableAutoRenew', data: {} } : { type: 'DisableAutoRenew', data: {} });
  }
  if (request.quantity !== undefined) {
    const plan = catalog.plan(state.offerId, state.planId);
    if (!plan) throw SubscriptionErrors.notFound();
    commands.push({
      type: 'ChangeSeats',
      data: {
        quantity: request.quantity,
        limits: { minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity },
        operationId: context.newOperationId(),
        requestedBy: 'Partner',
        now: context.now,
      },
    });
  }
  if (request.status === 'deleted') {
    commands.push({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: context.newOperationId(), now: context.now } });
  }
  return commands;
}
