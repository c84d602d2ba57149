import type { MinimalJob } from 'bullmq';
import { afterFailure, DeliveryFailed, MAX_RETRY_DELAY_MS, notificationBackoff, retryDelay } from './notification-backoff';

const SECOND = 1_000;
const HOUR = 3_600_000;

describe('notification backoff', () => {
  it('doubles from the base and caps each delay at an hour', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, 2 * SECOND))).toEqual([2, 4, 8, 16, 32].map((s) => s * SECOND));
    expect(retryDelay(11, 2 * SECOND)).toBe(2048 * SECOND);
    expect(retryDelay(12, 2 * SECOND)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelay(400, 2 * SECOND)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('retries inside the window, pulling the last retry in to the end of it', () => {
    const window = { baseMs: 2 * SECOND, windowMs: 8 * HOUR, firstStartedAt: 0 };
    expect(afterFailure({ ...window, attempt: 1, failedAt: 100 })).toEqual({ retryInMs: 2 * SECOND });
    expect(afterFailure({ ...window, attempt: 15, failedAt: 8 * HOUR - 10 * SECOND })).toEqual({ retryInMs: 10 * SECOND });
  });

  it('dead-letters once the window since the first attempt has passed, or the attempts run out', () => {
    const window = { baseMs: 2 * SECOND, windowMs: 8 * HOUR, firstStartedAt: 5_000 };
    expect(afterFailure({ ...window, attempt: 19, failedAt: 5_000 + 8 * HOUR })).toEqual({ deadLetter: expect.stringContaining('28800000 ms') });
    expect(afterFailure({ ...window, attempt: 3, failedAt: 6_000, maxAttempts: 3 })).toEqual({ deadLetter: 'no success in 3 attempts' });
  });

  it('with the defaults, tries 19 times over exactly 8 hours (instant failures)', () => {
    const starts: number[] = [0];
    for (let attempt = 1; ; attempt++) {
      const failedAt = starts[starts.length - 1];
      const next = afterFailure({ attempt, baseMs: 2 * SECOND, windowMs: 8 * HOUR, firstStartedAt: 0, failedAt });
      if ('deadLetter' in next) break;
      starts.push(failedAt + next.retryInMs);
    }
    const gaps = starts.slice(1).map((at, i) => at - starts[i]);
    expect(gaps.slice(0, 11)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048].map((s) => s * SECOND));
    expect(gaps.slice(11, 17)).toEqual(Array(6).fill(HOUR));
    expect(starts).toHaveLength(19);
    expect(starts[18]).toBe(8 * HOUR);
  });

  it('is the delay the processor decided, or plain exponential for any other failure', async () => {
    const job = { opts: { backoff: { type: 'notification', delay: 50 } } } as unknown as MinimalJob;
    expect(await notificationBackoff(3, 'notification', new DeliveryFailed('HTTP 500', 1234), job)).toBe(1234);
    expect(await notificationBackoff(3, 'notification', new Error('database down'), job)).toBe(200);
  });
});
