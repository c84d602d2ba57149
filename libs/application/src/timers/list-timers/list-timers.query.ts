import { Query } from '@nestjs/cqrs';
import type { TimerKind, TimerState } from '@mfh/read-models';

/** A timer as the admin sees it: what it does, when it is due in business time, and what became of it. */
export interface TimerView {
  id: string;
  kind: TimerKind;
  state: TimerState;
  dueAt: string;
  operationId: string | null;
  termEnd: string | null;
  cycleStart: string | null;
  settledAt: string | null;
}

export interface SubscriptionTimers {
  subscriptionId: string;
  /** The test clock whose advances fire them; null: they fire on the wall clock. */
  testClockId: string | null;
  totalCount: number;
  items: TimerView[];
}

/** Every timer a subscription has had, oldest first (read model). */
export class ListTimers extends Query<SubscriptionTimers> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}
