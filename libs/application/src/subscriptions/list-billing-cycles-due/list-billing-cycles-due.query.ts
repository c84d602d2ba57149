import { Query } from '@nestjs/cqrs';
import type { DueBillingCycle } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';

export interface BillingCycleDue {
  /** The event after which the subscription waits for the cycle: billing started, a renewal, or the cycle before. */
  event: RecordedEvent;
  subscriptionId: string;
  cycle: DueBillingCycle;
}

/**
 * The later billing cycle each term-billing event of a batch leaves its subscription waiting for, in
 * the order of their events; none after a term billed in one cycle, or after a term's last cycle.
 */
export class ListBillingCyclesDue extends Query<BillingCycleDue[]> {
  constructor(readonly events: readonly RecordedEvent[]) {
    super();
  }
}
