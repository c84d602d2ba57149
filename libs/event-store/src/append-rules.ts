import type { Backoff } from './backoff';
import { WrongExpectedVersionError } from './event-store.errors';
import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent, StreamRevision } from './event-store.port';

/** Throws unless a stream whose last revision is `current` (-1: no stream) meets `expected`. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: StreamRevision): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedVersionError(streamId, expected, current === -1 ? 'no_stream' : current);
}

/**
 * A re-append of events that are already in the stream, as one consecutive run, is a no-op that
 * reports the original result. With an explicit expected revision, the run must start right after it.
 */
export function findIdempotentRepeat(
  streamId: string,
  events: readonly NewEvent[],
  lookup: (eventId: string) => RecordedEvent | undefined,
  expected: ExpectedRevision,
): AppendResult | null {
  if (events.length === 0) return null;
  const found = events.map((e) => lookup(e.id));
  if (found.some((e) => e === undefined)) return null;
  const recorded = found as RecordedEvent[];
  const first = recorded[0];
  const consecutive = recorded.every((e, i) => e.streamId === streamId && e.revision === first.revision + i);
  if (!consecutive) return null;
  const startsWhereExpected =
    expected === 'any' ||
    (expected === 'no_stream' && first.revision === 0) ||
    (expected === 'stream_exists' && first.revision > 0) ||
    (typeof expected === 'number' && expected === first.revision - 1);
  if (!startsWhereExpected) return null;
  const last = recorded[recorded.length - 1];
  return { nextExpectedRevision: last.revision, position: last.position, alreadyStored: true };
}

/** How many times an append with an unpinned expectation ('any', 'stream_exists') is tried against racing writers. */
export const MAX_APPEND_ATTEMPTS = 10;

/** Appenders that collided once would collide again in lockstep; a random pause, growing with each attempt, spreads them out. */
export const CONFLICT_BACKOFF: Backoff = { firstMs: 2, maxMs: 64, jitter: true };

/** Both stores compare and return uuids in lower case. */
export function eventIdKey(id: string): string {
  return id.toLowerCase();
}

/** A stream's last revision as WrongExpectedVersionError reports it. */
export function actualRevision(revision: StreamRevision): StreamRevision | 'no_stream' {
  return revision < 0 ? 'no_stream' : revision;
}
