import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const outage = { firstMs: 250, maxMs: 5_000 };

  it('doubles from the first pause after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((failures) => backoffDelay(failures, outage))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('never overflows, however many failures', () => {
    expect(backoffDelay(10_000, outage)).toBe(5_000);
    expect(backoffDelay(0, outage)).toBe(250);
  });

  it('with jitter, pauses a random part of the same curve', () => {
    const collided = { firstMs: 2, maxMs: 64, jitter: true };
    const pauses = Array.from({ length: 200 }, () => backoffDelay(4, collided));
    expect(Math.max(...pauses)).toBeLessThanOrEqual(16);
    expect(Math.min(...pauses)).toBeGreaterThanOrEqual(0);
    expect(new Set(pauses).size).toBeGreaterThan(1);
  });
});
