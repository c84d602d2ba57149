import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type SubscriptionCommand, type SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { RenewalOutcome, RenewSubscription } from './renew-subscription.command';

/** The renewal or expiry itself is 0, as it always was; what comes with it is named. */
function renewalEventKey(event: SubscriptionEvent): string | number {
  if (event.type === 'TrialConverted') return 'trial-converted';
  if (event.type === 'NextTermChangeApplied') return `change-${event.data.action}`;
  return 0;
}

/** Ids derive from the term, so however often a term's renewal runs, it renews (or ends) the subscription once. */
@CommandHandler(RenewSubscription)
export class RenewSubscriptionHandler implements ICommandHandler<RenewSubscription> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, termEnd, metadata, dueAt }: RenewSubscription): Promise<TimerFired<RenewalOutcome>> {
    const operationId = derivedId(subscriptionId, termEnd, 'renewal');
    // The plan and seat changes a renewal applies from scheduled instructions are operations of their own.
    const changeOperationIds = {
      changePlan: derivedId(subscriptionId, termEnd, 'renewal', 'ChangePlan'),
      changeQuantity: derivedId(subscriptionId, termEnd, 'renewal', 'ChangeQuantity'),
    };
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'RenewSubscription', data: { operationId, now, termEnd, changeOperationIds } }),
      metadata,
      at: dueAt,
      // By what each event is, not where it falls: the renewal (or expiry) keeps the id its timer knows it by when a trial's conversion comes first.
      eventId: (_index, event) => derivedId(subscriptionId, termEnd, 'renewal-event', renewalEventKey(event)),
    });
    const types = new Set(result.appended.map((event) => event.type));
    const outcome = types.has('SubscriptionRenewed') ? 'renewed' : types.has('SubscriptionExpired') ? 'expired' : 'nothing-to-do';
    return { outcome, position: result.position };
  }
}
