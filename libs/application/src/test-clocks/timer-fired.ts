import type { GlobalPosition } from '@mfh/event-store';

/** What a timer's command did, and where in the log its event went (null: nothing appended), so an advance can wait for its effects. */
export interface TimerFired<Outcome extends string> {
  outcome: Outcome;
  position: GlobalPosition | null;
}
