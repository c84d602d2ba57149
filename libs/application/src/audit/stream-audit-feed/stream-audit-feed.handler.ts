import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, logPages, RecordedEvent } from '@mfh/event-store';
import { feedPosition } from '../audit-log';
import { StreamAuditFeed } from './stream-audit-feed.query';

@QueryHandler(StreamAuditFeed)
export class StreamAuditFeedHandler implements IQueryHandler<StreamAuditFeed> {
  constructor(private readonly store: EventStore) {}

  /** The first page is read before this resolves, so a store that fails at once fails the request with a problem. */
  async execute({ after, limit, pageSize, readAhead }: StreamAuditFeed): Promise<AsyncIterable<RecordedEvent[]>> {
    const from = await feedPosition(this.store, after);
    const pages = logPages(this.store, { after: from, limit: limit ?? undefined, pageSize, readAhead });
    const first = await pages.next();
    return (async function* () {
      if (first.done) return;
      yield first.value;
      yield* pages;
    })();
  }
}
