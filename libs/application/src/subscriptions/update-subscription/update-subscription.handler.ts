import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig, Catalog } from '@mfh/config';
import { ExistingSubscription, SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { randomUUID } from 'node:crypto';
import { subscriptionOfPartner } from '../../access/tenancy';
import { catalogPlansOf, catalogTermsOf } from '../../catalog-plans';
import { CommandExecutor } from '../../command-executor';
import { SubscriptionResult, subscriptionResult } from '../subscription-result';
import { SubscriptionChanges, UpdateSubscription } from './update-subscription.command';

@CommandHandler(UpdateSubscription)
export class UpdateSubscriptionHandler implements ICommandHandler<UpdateSubscription> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
  ) {}

  async execute({ partnerId, customerId, subscriptionId, changes, expectedRevision, metadata }: UpdateSubscription): Promise<SubscriptionResult> {
    const access = subscriptionOfPartner(partnerId, customerId);
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      access,
      commands: (state, now) => this.commandsFor(changes, access(state), now),
      metadata,
      expectedRevision,
    });
    return subscriptionResult(access(result.state), result);
  }

  /**
   * Settings first, then changes at renewal (after auto-renew, which they need), then seats, then
   * cancellation; the seat limits are the catalog's for the current plan.
   */
  private commandsFor(changes: SubscriptionChanges, state: ExistingSubscription, now: string): SubscriptionCommand[] {
    const commands: SubscriptionCommand[] = [];
    if (changes.friendlyName !== undefined) commands.push({ type: 'RenameSubscription', data: { friendlyName: changes.friendlyName } });
    if (changes.partnerId === null) commands.push({ type: 'RemoveIndirectReseller', data: {} });
    if (typeof changes.partnerId === 'string') commands.push({ type: 'AssignIndirectReseller', data: { mpnId: changes.partnerId } });
    if (changes.autoRenewEnabled !== undefined) commands.push({ type: changes.autoRenewEnabled ? 'EnableAutoRenew' : 'DisableAutoRenew', data: {} });
    const next = changes.scheduledNextTermInstructions;
    if (next === null) commands.push({ type: 'ClearNextTerm', data: {} });
    if (next) {
      const { planId, quantity, termDuration, billingCycle } = next;
      const instructions = { planId, quantity, termDuration, billingCycle };
      commands.push({
        type: 'ScheduleNextTerm',
        data: { instructions, plans: catalogPlansOf(this.catalog, state.offerId), terms: catalogTermsOf(this.catalog, state.offerId), now },
      });
    }
    if (changes.quantity !== undefined) {
      const plan = this.catalog.plan(state.offerId, state.planId);
      const limits = plan ? { minQuantity: plan.minQuantity, maxQuantity: plan.maxQuantity } : null;
      commands.push({ type: 'ChangeSeats', data: { quantity: changes.quantity, limits, operationId: randomUUID(), requestedBy: 'Partner', now } });
    }
    if (changes.status === 'deleted') commands.push({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: randomUUID(), now } });
    if (changes.status === 'suspended') {
      const reasons = changes.suspensionReasons ?? [];
      commands.push({ type: 'SuspendSubscription', data: { reasons, requestedBy: 'Partner', operationId: randomUUID(), graceMs: this.config.SUSPENSION_GRACE, now } });
    }
    if (changes.status === 'active') commands.push({ type: 'RequestReinstatement', data: { requestedBy: 'Partner', operationId: randomUUID(), now } });
    return commands;
  }
}
