/**
 * What every benchmark reads from the environment: where PostgreSQL and Redis are, and numeric
 * settings, checked once at start-up so that a typo fails the run instead of measuring a default.
 */

/** Like the tests' database, overridable, since a run creates and drops a schema in it. */
export const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A number from the environment variable `name`, or `fallback` when it is unset or empty. Zero is
 * allowed unless `positive` is set (where a zero would make the run meaningless).
 */
export function env(name: string, fallback: number, { positive = false } = {}): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || (positive ? parsed <= 0 : parsed < 0)) {
    throw new Error(`${name} must be a ${positive ? 'positive' : 'non-negative'} number, got ${value}`);
  }
  return parsed;
}

/**
 * The settings bench:commands and bench:callbacks share, read from the same variables with the
 * same defaults (see bench/README.md); each adds its own after them.
 */
export function httpLoadSettings() {
  return {
    databaseUrl,
    redisUrl,
    /** HTTP connections (and, in bench:commands, raw append loops). */
    connections: env('BENCH_CONNECTIONS', 32),
    subscriptions: env('BENCH_SUBSCRIPTIONS', 1024),
    warmupSeconds: env('BENCH_WARMUP', 2),
    /** Measured seconds on each side, split into alternating rounds. */
    durationSeconds: env('BENCH_DURATION', 10),
    rounds: Math.max(1, Math.round(env('BENCH_ROUNDS', 5))),
  };
}
