import type { GlobalPosition } from '@mfh/event-store';

/**
 * The consumers that follow the global log (projections, reactors) as the process that advances
 * test clocks runs them: an advance waits for them, so each timer's effects are applied before the
 * next timer is looked for, and all of them before the clock reads `ready`.
 */
export abstract class LogFollowers {
  /** Resolves once every follower has handled the event at `position`. */
  abstract reach(position: GlobalPosition): Promise<void>;
  /** Resolves once every follower has handled everything the log held when it was called. */
  abstract catchUp(): Promise<void>;
}
