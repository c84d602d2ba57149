import { Logger } from '@nestjs/common';
import { DeadlineExceededError, NotLeaderError, UnavailableError } from '@eventstore/db-client';
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay } from './backoff';

/** Socket-level failures: the server is down, restarting, unreachable or not resolvable yet. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/**
 * PostgreSQL's own ways of saying it cannot serve right now: connection exceptions (class 08), a
 * backend terminated by an administrator or a crash, a server starting up or shutting down, no
 * free connection slots.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What node-postgres says when a connection dies under it or a pool cannot get one in time. */
const PG_MESSAGES = /Connection terminated|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i;
/** gRPC status codes of a server that is not there (UNAVAILABLE) or did not answer in time (DEADLINE_EXCEEDED). */
const GRPC_UNAVAILABLE = new Set([14, 4]);

/**
 * True when `error` says the event store or the read-model database cannot be reached just now, on
 * either store (PostgreSQL or EventStoreDB), as opposed to a refusal or a bug: the request may be
 * tried again later, and nothing about the request itself was wrong.
 */
export function isStoreUnavailable(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: errors raised by Node's own modules may come from another realm (Jest's sandbox).
  for (let cause = error as ErrorLike | undefined, depth = 0; isErrorLike(cause) && depth < 5; cause = cause.cause as ErrorLike | undefined, depth++) {
    if (cause instanceof UnavailableError || cause instanceof DeadlineExceededError || cause instanceof NotLeaderError) return true;
    const { code, message } = cause;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    // The EventStoreDB client passes some gRPC failures through as plain errors with a numeric code.
    if (typeof code === 'number' && GRPC_UNAVAILABLE.has(code)) return true;
    if (PG_MESSAGES.test(message) || /Failed to discover/i.test(message)) return true;
    // Node's connection attempts to every address of a host fail together.
    if (Array.isArray(cause.errors) && cause.errors.some(isStoreUnavailable)) return true;
  }
  return false;
}

interface ErrorLike {
  message: string;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

const isErrorLike = (value: unknown): value is ErrorLike =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';

export interface RetryWhileUnavailableOptions {
  /** Named in the log lines, e.g. "read-model migrations". */
  what: string;
  /** First pause; each further one doubles, up to {@link maxDelayMs}. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  logger?: Pick<Logger, 'warn' | 'log'>;
}

/**
 * Runs `task` until it succeeds, pausing with exponential backoff while the store is unavailable
 * (never giving up: a process that starts before its database waits for it instead of exiting).
 * Any other error is thrown at once.
 */
export async function retryWhileUnavailable<T>(task: () => Promise<T>, options: RetryWhileUnavailableOptions): Promise<T> {
  const logger = options.logger ?? new Logger('Startup');
  const backoff = { firstMs: options.initialDelayMs ?? 250, maxMs: options.maxDelayMs ?? 5_000 };
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await task();
      if (attempt > 1) logger.log(`${options.what}: the store answered after ${attempt} attempts`);
      return result;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      const wait = backoffDelay(attempt, backoff);
      logger.warn(`${options.what}: the store is unavailable (${describe(error)}); attempt ${attempt}, retrying in ${wait} ms`);
      await delay(wait);
    }
  }
}

const describe = (error: unknown): string => {
  if (!isErrorLike(error)) return String(error);
  const message = error.message || (Array.isArray(error.errors) ? error.errors.map(describe).join('; ') : 'no message');
  return error.code !== undefined && !message.includes(String(error.code)) ? `${String(error.code)}: ${message}` : message;
};
