import { setTimeout as delay } from 'node:timers/promises';

export interface Backoff {
  /** The pause after the first failure. */
  firstMs: number;
  /** No pause is longer. */
  maxMs: number;
  /**
   * Full jitter: a random pause up to the exponential one. For writers that collided, who would
   * collide again in lockstep; not for waiting out an outage, where the pause itself matters.
   */
  jitter?: boolean;
}

/** The one backoff rule of the system: doubling from `firstMs` after each failure, capped at `maxMs`. */
export function backoffDelay(failures: number, backoff: Backoff): number {
  const exponential = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return backoff.jitter ? Math.random() * exponential : exponential;
}

export function pause(failures: number, backoff: Backoff, signal?: AbortSignal): Promise<void> {
  return delay(backoffDelay(failures, backoff), undefined, { signal });
}
