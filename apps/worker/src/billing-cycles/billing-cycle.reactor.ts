import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Clock, ListBillingCyclesDue } from '@mfh/application';
import type { SubscriptionEvent } from '@mfh/domain';
import { eventsOfType, RecordedEvent } from '@mfh/event-store';
import { BillingCycleJob, JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import type { LogConsumer } from '@mfh/read-models';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import { onWallClock } from '../reactors/reactor';

const termBilling = onWallClock(eventsOfType<SubscriptionEvent>()('BillingStarted', 'SubscriptionRenewed', 'BillingCycleStarted', 'BillingCycleSkipped'));

/**
 * A term billed in several cycles, once billing starts, it renews or a cycle begins, gets a job due
 * when its next cycle begins. Its id is the event's, so a replayed batch adds no job twice.
 */
@Injectable()
export class BillingCycleReactor implements LogConsumer {
  readonly name = 'reactor-billing-cycles';

  constructor(
    @InjectQueue(QUEUES.billingCycles) private readonly queue: Queue<BillingCycleJob>,
    private readonly queries: QueryBus,
    private readonly clock: Clock,
  ) {}

  async handle(_client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const billing = events.filter(termBilling);
    if (billing.length === 0) return;
    const due = await this.queries.execute(new ListBillingCyclesDue(billing));
    if (due.length === 0) return;
    await this.queue.addBulk(
      due.map(({ event, subscriptionId, cycle }) => ({
        name: JOBS.startBillingCycle,
        data: { subscriptionId, cycleStart: cycle.cycleStart, ...reactionTo(event) },
        opts: { jobId: event.id, delay: Math.max(0, Date.parse(cycle.dueAt) - this.clock.now().getTime()) },
      })),
    );
  }
}
