import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { TimerEntry, TimersRepository } from '@mfh/read-models';
import { ListTimers, SubscriptionTimers, TimerView } from './list-timers.query';

@QueryHandler(ListTimers)
export class ListTimersHandler implements IQueryHandler<ListTimers> {
  constructor(
    private readonly timers: TimersRepository,
    private readonly config: AppConfig,
  ) {}

  async execute({ subscriptionId }: ListTimers): Promise<SubscriptionTimers> {
    const { timers, testClockId } = await this.timers.forSubscription(subscriptionId.toLowerCase());
    const items = timers.map((timer) => this.view(timer));
    return { subscriptionId, testClockId, totalCount: items.length, items };
  }

  /** An auto-accept is due the configured window after its operation's request. */
  private view({ startedAt, ...timer }: TimerEntry): TimerView {
    const dueAt = timer.dueAt ?? new Date(Date.parse(startedAt) + this.config.OPERATION_AUTO_ACCEPT_MS).toISOString();
    // Rows projected before billing-cycle timers existed have no cycleStart.
    return { ...timer, dueAt, cycleStart: timer.cycleStart ?? null };
  }
}
