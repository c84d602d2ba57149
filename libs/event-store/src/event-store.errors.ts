import type { ExpectedRevision, StreamRevision } from './event-store.port';

/** The stream was not where the caller expected it: someone else appended first. */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected ${String(expected)}, found ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** An event id that already exists somewhere the append cannot treat as an idempotent repeat. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`Event ${eventId} already exists outside the idempotent re-append of stream ${streamId}`);
    this.name = 'DuplicateEventIdError';
  }
}
