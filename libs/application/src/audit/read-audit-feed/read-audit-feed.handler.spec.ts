import { EventStore, formatPosition, RecordedEvent } from '@mfh/event-store';
import { inMemoryStore } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ReadAuditFeed } from './read-audit-feed.query';
import { ReadAuditFeedHandler } from './read-audit-feed.handler';

describe('ReadAuditFeed', () => {
  let store: EventStore;
  let handler: ReadAuditFeedHandler;
  let log: RecordedEvent[];

  beforeAll(async () => {
    store = inMemoryStore();
    handler = new ReadAuditFeedHandler(store);
    for (let i = 0; i < 150; i++) {
      await store.appendToStream(`audit-${i % 3}`, [{ id: randomUUID(), type: 'Happened', data: { i }, metadata: {} }]);
    }
    log = await store.readAll({ maxCount: 1000 });
  });

  const read = (after: string | null, limit: number | null = null) => handler.execute(new ReadAuditFeed(after, limit));
  const ids = (events: readonly RecordedEvent[]) => events.map((event) => event.id);

  it('reads 100 events from the start by default, with the position of the next page', async () => {
    const page = await read(null);
    expect(ids(page.events)).toEqual(ids(log.slice(0, 100)));
    expect(page.next).toBe(formatPosition(log[99].position));
    const rest = await read(page.next, 100);
    expect({ events: ids(rest.events), next: rest.next }).toEqual({ events: ids(log.slice(100)), next: null });
  });

  it.each(['0', '0-0'])('starts at the beginning with after=%s', async (after) => {
    expect(ids((await read(after, 2)).events)).toEqual(ids(log.slice(0, 2)));
  });

  it('reads strictly after an event’s position, and nothing after the last', async () => {
    expect(ids((await read(formatPosition(log[10].position), 2)).events)).toEqual(ids(log.slice(11, 13)));
    expect(await read(formatPosition(log[log.length - 1].position))).toEqual({ events: [], next: null });
  });

  it.each([
    ['between two events', () => `${log[10].position.commit}-${log[10].position.prepare + 1n}`],
    ['past the last event', () => `${log[log.length - 1].position.commit + 1n}-${log[log.length - 1].position.prepare + 1n}`],
    ['out of any store’s range', () => '99999999999999999999-1'],
    ['not a position at all', () => 'yesterday'],
  ])('refuses a position %s as not one of the feed’s', async (_case, after) => {
    await expect(read(after())).rejects.toMatchObject({
      code: 'invalid-position',
      kind: 'validation',
      message: 'after must be a position from this feed, like 1042-17.',
      extensions: { errors: [{ pointer: '/after', detail: 'not a position of this log' }] },
    });
  });

  it('reads 1000 events a page at most', async () => {
    await expect(read(null, 1001)).rejects.toMatchObject({
      code: 'invalid-limit',
      kind: 'validation',
      message: 'limit must be between 1 and 1000.',
      extensions: { errors: [{ pointer: '/limit', detail: 'at most 1000' }] },
    });
  });
});
