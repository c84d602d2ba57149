import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from '@mfh/application';
import { QueryInteger } from '../../http/query-integer';
/** A bound on what limit may say for a stream, so that it stays a plain number. */
const FEED_MAX_STREAMED = 999_999_999;

/** An instant: a date, a time and a zone (`Z` or an offset), so that it means the same everywhere. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Numbers in the query are decimal digits only (QueryInteger): implicit conversion would turn an empty `revision=` into 0 and `1e3` into 1000. */
export class AuditStateQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-01-31T12:00:00Z',
    description:
      'Business time (each event’s metadata.occurredAt, the clock its command was decided on): the state after every event that ' +
      'had occurred by then. Needs a time zone (Z or ±hh:mm). Exactly one of asOf and revision.',
  })
  @IsOptional()
  @IsString()
  @IsISO8601({ strict: true }, { message: 'asOf is not a valid date and time' })
  @Matches(INSTANT, { message: 'asOf must be an ISO 8601 date-time with a time zone, like 2026-01-31T12:00:00Z' })
  asOf?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 3,
    description: 'The state right after the event with this stream revision (0 is the purchase). Exactly one of asOf and revision.',
  })
  @IsOptional()
  @QueryInteger(0, Number.MAX_SAFE_INTEGER)
  revision?: number;
}

export class AuditFeedQuery {
  @ApiPropertyOptional({
    example: '1042-17',
    description:
      'A position from this feed (an event’s position, or next); only events after it are returned. Omitted or 0: from the start. ' +
      'Any other position (between events, past the last) is refused with invalid-position.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^(?:0|\d{1,20}-\d{1,20})$/, { message: 'after must be a position from this feed, like 1042-17' })
  after?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: FEED_MAX_LIMIT,
    default: FEED_DEFAULT_LIMIT,
    description: `Events per page (default ${FEED_DEFAULT_LIMIT}, at most ${FEED_MAX_LIMIT}). With Accept: application/x-ndjson: how many to stream at most (no upper bound); omitted, the stream runs to the end of the log.`,
  })
  @IsOptional()
  @QueryInteger(1, FEED_MAX_STREAMED)
  limit?: number;
}
