/**
 * Every PostgreSQL query this process sends while a census is open, by statement: how many, and how
 * long from being handed to a connection to its answer. A benchmark opens one around what it
 * measures when a CPU profile cannot say which queries the time goes to (their callbacks run from
 * the connection's socket, far from the code that asked for them). It wraps `pg`'s Client.query,
 * and only while open.
 */
import { Client } from 'pg';

export interface QueryCount {
  statement: string;
  count: number;
  totalMs: number;
  meanMs: number;
}

export interface QueryCensus {
  /** Restores Client.query and returns the statements, most often sent first. */
  close(): QueryCount[];
}

type QueryMethod = (this: Client, ...args: unknown[]) => unknown;

/** A statement's name, or its first words with schema names and whitespace folded, so that one call site is one line. */
function statementOf(config: unknown): string {
  const query = config as { name?: string; text?: string } | string;
  const text = typeof query === 'string' ? query : (query.name ?? query.text ?? '?');
  return text.replace(/\s+/g, ' ').replace(/\bbench_[0-9a-f]+(_raw)?\./g, '').trim().slice(0, 110);
}

export function openQueryCensus(): QueryCensus {
  const counts = new Map<string, { count: number; totalMs: number }>();
  const prototype = Client.prototype as unknown as { query: QueryMethod };
  const original = prototype.query;
  const record = (statement: string, began: number) => {
    const entry = counts.get(statement) ?? { count: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += performance.now() - began;
    counts.set(statement, entry);
  };
  prototype.query = function (this: Client, ...args: unknown[]) {
    const statement = statementOf(args[0]);
    const began = performance.now();
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...results: unknown[]) => unknown;
      args[last] = (...results: unknown[]) => {
        record(statement, began);
        return callback(...results);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as Promise<unknown> | undefined;
    if (result && typeof result.then === 'function') {
      result.then(
        () => record(statement, began),
        () => record(statement, began),
      );
    }
    return result;
  };
  return {
    close() {
      prototype.query = original;
      return [...counts]
        .map(([statement, { count, totalMs }]) => ({ statement, count, totalMs: Math.round(totalMs), meanMs: Math.round((totalMs / count) * 100) / 100 }))
        .sort((a, b) => b.count - a.count);
    },
  };
}
