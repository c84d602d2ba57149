import { Injectable } from '@nestjs/common';
import { SubscriptionErrors, subscriptionIdOf, subscriptionStream } from '@mfh/domain';
import { EventStore, formatPosition, GlobalPosition, logPages, RecordedEvent } from '@mfh/event-store';
import type { AuditEventDto, AuditFeedEventDto } from './dto/audit-responses.dto';

/** Events read per round trip of the streamed feed. */
export const READ_PAGE_SIZE = 500;

/** Reads the log for auditors: whole subscription histories and the global feed, every tenant, read only. */
@Injectable()
export class AuditLog {
  constructor(private readonly store: EventStore) {}

  /** Every event of the subscription's stream, in revision order; not found when it has none. */
  async history(subscriptionId: string): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(subscriptionStream(subscriptionId));
    if (events.length === 0) throw SubscriptionErrors.notFound();
    return events;
  }

  /** One page of the global log, strictly after `after`. */
  page(after: GlobalPosition | null, limit: number): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: limit });
  }

  /**
   * The global log from `after` to its end, or `limit` events, page by page. The first page is read
   * before this resolves, so a store that fails at once fails the request with a problem. Each later
   * page is read only when the consumer asks for it, so a slow reader holds one page at most and a
   * consumer that stops (a client that hung up) stops the reading.
   */
  async feed(after: GlobalPosition | null, limit: number | null): Promise<AsyncIterable<RecordedEvent[]>> {
    const pages = logPages(this.store, { after, limit: limit ?? undefined, pageSize: READ_PAGE_SIZE, readAhead: false });
    const first = await pages.next();
    return (async function* () {
      if (first.done) return;
      yield first.value;
      yield* pages;
    })();
  }
}

export function auditEvent(event: RecordedEvent): AuditEventDto {
  return {
    id: event.id,
    revision: event.revision,
    position: formatPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as AuditEventDto['metadata'],
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash,
    previousHash: event.previousHash,
  };
}

export function auditFeedEvent(event: RecordedEvent): AuditFeedEventDto {
  return { streamId: event.streamId, subscriptionId: subscriptionIdOf(event.streamId), ...auditEvent(event) };
}
