import { EventStore, formatPosition, RecordedEvent } from '@mfh/event-store';
import { inMemoryStore } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { StreamAuditFeed } from './stream-audit-feed.query';
import { StreamAuditFeedHandler } from './stream-audit-feed.handler';

describe('StreamAuditFeed', () => {
  let store: EventStore;
  let handler: StreamAuditFeedHandler;
  let log: RecordedEvent[];

  beforeAll(async () => {
    store = inMemoryStore();
    handler = new StreamAuditFeedHandler(store);
    for (let i = 0; i < 25; i++) await store.appendToStream(`audit-${i % 2}`, [{ id: randomUUID(), type: 'Happened', data: { i }, metadata: {} }]);
    log = await store.readAll();
  });

  async function streamed(query: StreamAuditFeed): Promise<{ pages: number[]; ids: string[] }> {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of await handler.execute(query)) {
      pages.push(page.length);
      ids.push(...page.map((event) => event.id));
    }
    return { pages, ids };
  }

  it('streams the whole log page by page, or from after a position, or up to a limit', async () => {
    expect(await streamed(new StreamAuditFeed(null, null, 10))).toEqual({ pages: [10, 10, 5], ids: log.map((e) => e.id) });
    expect((await streamed(new StreamAuditFeed(formatPosition(log[4].position), null, 10, true))).ids).toEqual(log.slice(5).map((e) => e.id));
    expect(await streamed(new StreamAuditFeed('0', 12, 10))).toEqual({ pages: [10, 2], ids: log.slice(0, 12).map((e) => e.id) });
    expect(await streamed(new StreamAuditFeed(formatPosition(log[24].position), null))).toEqual({ pages: [], ids: [] });
  });

  it('reads the first page before it answers, and refuses a position that is not the feed’s before reading any', async () => {
    const readAll = jest.spyOn(store, 'readAll');
    try {
      await handler.execute(new StreamAuditFeed(null, null, 10));
      expect(readAll).toHaveBeenCalledTimes(1);
      readAll.mockClear();
      await expect(handler.execute(new StreamAuditFeed(`${log[3].position.commit}-${log[3].position.prepare + 1n}`, null))).rejects.toMatchObject({
        code: 'invalid-position',
      });
      expect(readAll).not.toHaveBeenCalled();
    } finally {
      readAll.mockRestore();
    }
  });
});
