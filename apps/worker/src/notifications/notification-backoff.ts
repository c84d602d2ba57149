import { backoffDelay } from '@mfh/event-store';
import type { BackoffStrategy } from 'bullmq';

/** The backoff type notification jobs name, so BullMQ asks the worker's custom strategy. */
export const NOTIFICATION_BACKOFF = 'notification';
export const MAX_RETRY_DELAY_MS = 3_600_000;
/** A bound far beyond what the retry window allows; the window is what ends a delivery. */
export const MAX_DELIVERY_ATTEMPTS = 1_000;

/** base, 2·base, 4·base, … each capped at an hour. */
export function retryDelay(attempt: number, baseMs: number): number {
  return backoffDelay(attempt, { firstMs: baseMs, maxMs: MAX_RETRY_DELAY_MS });
}

export type AfterFailure = { retryInMs: number } | { deadLetter: string };

/**
 * What follows failed attempt `attempt`: another one after the exponential delay, pulled in so that
 * the last one falls exactly at the end of the window (counted from the first attempt's start), or
 * none once the window has passed.
 */
export function afterFailure(p: {
  attempt: number;
  baseMs: number;
  windowMs: number;
  firstStartedAt: number;
  failedAt: number;
  maxAttempts?: number;
}): AfterFailure {
  const remaining = p.firstStartedAt + p.windowMs - p.failedAt;
  if (remaining <= 0) return { deadLetter: `no success within the retry window of ${p.windowMs} ms (${p.attempt} attempts)` };
  if (p.attempt >= (p.maxAttempts ?? MAX_DELIVERY_ATTEMPTS)) return { deadLetter: `no success in ${p.attempt} attempts` };
  return { retryInMs: Math.min(retryDelay(p.attempt, p.baseMs), remaining) };
}

/** A delivery that failed and is to be tried again after `retryInMs` (already recorded as such). */
export class DeliveryFailed extends Error {
  override readonly name = 'DeliveryFailed';

  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}

/**
 * BullMQ's custom backoff for notification jobs: the delay the processor decided and recorded, or,
 * for any other error (the database, say), the plain exponential delay from the job's base.
 */
export const notificationBackoff: BackoffStrategy = (attemptsMade, _type, error, job) => {
  if (error instanceof DeliveryFailed) return error.retryInMs;
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' ? (backoff.delay ?? 1_000) : (backoff ?? 1_000);
  return retryDelay(attemptsMade, base);
};
