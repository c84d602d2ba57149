import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@mfh/event-store';

/** Events read per round trip of the streamed feed. */
export const FEED_STREAM_PAGE_SIZE = 500;

/**
 * The global feed from `after` (as {@link ReadAuditFeed} takes it) to the end of the log, or `limit`
 * events, page by page (auditor's NDJSON, operator's export).
 */
export class StreamAuditFeed extends Query<AsyncIterable<RecordedEvent[]>> {
  constructor(
    readonly after: string | null,
    readonly limit: number | null,
    readonly pageSize = FEED_STREAM_PAGE_SIZE,
    /**
     * False: read each page only when the consumer asks for it, so a slow reader holds one page at
     * most and one that stops (a client that hung up) stops the reading. True: read the next page
     * while the consumer handles this one (a file export).
     */
    readonly readAhead = false,
  ) {
    super();
  }
}
