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
  return { nextExpectedRevision: last.revision, position: last.position };
}
