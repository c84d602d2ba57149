import { DomainError } from '@mfh/domain';
import type { ExpectedRevision, GlobalPosition, StreamRevision } from './event-store.port';

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

/**
 * The store cannot take these events in one append (EventStoreDB's MaxAppendSize), and nothing was
 * written: one event is over the limit on its own (`event`), or the batch is and it cannot be split
 * because its expected revision makes it atomic (`atomic-batch`), or the server refused it (`server`,
 * its limit set lower than the adapter's). A 422 problem (`append-too-large`); a job that hits it can
 * never succeed.
 */
export class AppendTooLargeError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly reason: 'event' | 'atomic-batch' | 'server',
    readonly size: number | null,
    readonly maxAppendSize: number,
    readonly eventId?: string,
  ) {
    super('append-too-large', 'unprocessable', appendTooLargeMessage(streamId, reason, size, maxAppendSize, eventId), { maxAppendSize });
    this.name = 'AppendTooLargeError';
  }
}

function appendTooLargeMessage(
  streamId: string,
  reason: AppendTooLargeError['reason'],
  size: number | null,
  max: number,
  eventId: string | undefined,
): string {
  switch (reason) {
    case 'event':
      return `Event ${eventId} for stream ${streamId} takes ${size} bytes; the event store takes at most ${max} bytes in one append.`;
    case 'atomic-batch':
      return (
        `The events for stream ${streamId} take ${size} bytes together, over the event store's ${max} bytes per append, ` +
        'and an append at an expected revision cannot be split without losing its atomicity.'
      );
    case 'server':
      return `The event store refused the events for stream ${streamId}: over its maximum append size of ${max} bytes.`;
  }
}

/** The stream was deleted for good (an EventStoreDB tombstone): it can be neither read nor written again. A 404 problem. */
export class StreamDeletedError extends DomainError {
  constructor(readonly streamId: string) {
    super('stream-deleted', 'not-found', `Stream ${streamId} was deleted from the event store and can never be used again.`);
    this.name = 'StreamDeletedError';
  }
}

/** An event id the store refuses: not a UUID, or the nil UUID. A bug in the caller, so no problem type of its own (500). */
export class InvalidEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`Event id ${JSON.stringify(eventId)} for stream ${streamId} is not a UUID other than the nil UUID; the event store refuses it`);
    this.name = 'InvalidEventIdError';
  }
}

/**
 * A global read asked to start where the log has no event: inside an event's record, or past the end
 * of the log (a checkpoint from another log). A 400 problem (`invalid-position`), as the feed's own check.
 */
export class InvalidPositionError extends DomainError {
  constructor(
    readonly position: GlobalPosition,
    readonly reason: 'not-an-event' | 'past-the-end',
  ) {
    super(
      'invalid-position',
      'validation',
      reason === 'past-the-end'
        ? `Position ${position.commit}/${position.prepare} is past the end of the event store's log.`
        : `Position ${position.commit}/${position.prepare} is not the position of an event in the event store's log.`,
    );
    this.name = 'InvalidPositionError';
  }
}
