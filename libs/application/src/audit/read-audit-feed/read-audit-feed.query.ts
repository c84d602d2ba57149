import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@mfh/event-store';

export interface AuditFeedPage {
  /** In global order. */
  events: RecordedEvent[];
  /** `after` for the next page while this one came back full; null at the end of the log. */
  next: string | null;
}

/**
 * One page of the global feed (auditor): `limit` events (default 100, at most 1000) after `after`, a
 * position the feed handed out; `after` null, `0` or `0-0` starts at the beginning.
 */
export class ReadAuditFeed extends Query<AuditFeedPage> {
  constructor(
    readonly after: string | null,
    readonly limit: number | null,
  ) {
    super();
  }
}
