import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, formatPosition } from '@mfh/event-store';
import { feedPosition } from '../audit-log';
import { AuditErrors, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from '../audit.errors';
import { AuditFeedPage, ReadAuditFeed } from './read-audit-feed.query';

@QueryHandler(ReadAuditFeed)
export class ReadAuditFeedHandler implements IQueryHandler<ReadAuditFeed> {
  constructor(private readonly store: EventStore) {}

  async execute({ after, limit }: ReadAuditFeed): Promise<AuditFeedPage> {
    const from = await feedPosition(this.store, after);
    if (limit !== null && limit > FEED_MAX_LIMIT) throw AuditErrors.invalidLimit();
    const size = limit ?? FEED_DEFAULT_LIMIT;
    const events = await this.store.readAll({ after: from, maxCount: size });
    return { events, next: events.length === size ? formatPosition(events[events.length - 1].position) : null };
  }
}
