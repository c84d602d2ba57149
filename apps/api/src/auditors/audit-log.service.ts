import { Injectable } from '@nestjs/common';
import { SubscriptionErrors, subscriptionIdOf, subscriptionStream } from '@mfh/domain';
import { EventStore, formatPosition, GlobalPosition, RecordedEvent } from '@mfh/event-store';
import type { AuditEventDto, AuditFeedEventDto } from './dto/audit-responses.dto';

/** Events read per round trip: a stream's history and the streamed feed are read page by page. */
export const READ_PAGE_SIZE = 500;

/** Reads the log for auditors: whole subscription histories and the global feed, every tenant, read only. */
@Injectable()
export class AuditLog {
  constructor(private readonly store: EventStore) {}

  /** Every event of the subscription's stream, in revision order; not found when it has none. */
  async history(subscriptionId: string): Promise<RecordedEvent[]> {
    const events = await this.stream(subscriptionId);
    if (events.length === 0) throw SubscriptionErrors.notFound();
    return events;
  }

  /** Every event of the subscription's stream, in revision order; none when there is no such stream. */
  async stream(subscriptionId: string): Promise<RecordedEvent[]> {
    const streamId = subscriptionStream(subscriptionId);
    const events: RecordedEvent[] = [];
    for (;;) {
      const page = await this.store.readStream(streamId, { fromRevision: events.length, maxCount: READ_PAGE_SIZE });
      events.push(...page);
      if (page.length < READ_PAGE_SIZE) break;
    }
    return events;
  }

  /** One page of the global log, strictly after `after`. */
  page(after: GlobalPosition | null, limit: number): Promise<RecordedEvent[]> {
    return this.store.readAll({ after, maxCount: limit });
  }

  /**
   * The global log from `after` to its end, or `limit` events, one page at a time. The first page is
   * read before this resolves, so a store that fails at once fails the request with a problem; each
   * later page is read only when the consumer asks for more, so a slow reader holds one page at most
   * and a consumer that stops (a client that hung up) stops the reading.
   */
  async feed(after: GlobalPosition | null, limit: number | null): Promise<AsyncGenerator<RecordedEvent[]>> {
    const total = limit ?? Number.POSITIVE_INFINITY;
    const first = await this.page(after, Math.min(READ_PAGE_SIZE, total));
    return this.pages(first, total);
  }

  private async *pages(first: RecordedEvent[], total: number): AsyncGenerator<RecordedEvent[]> {
    let page = first;
    let remaining = total;
    for (;;) {
      const size = Math.min(READ_PAGE_SIZE, remaining);
      if (page.length > 0) yield page;
      remaining -= page.length;
      if (page.length < size || remaining <= 0) return;
      page = await this.page(page[page.length - 1].position, Math.min(READ_PAGE_SIZE, remaining));
    }
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
