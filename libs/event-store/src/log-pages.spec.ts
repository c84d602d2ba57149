import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from './event-store.port';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { logPages } from './log-pages';

describe('logPages', () => {
  let store: InMemoryEventStore;
  let all: RecordedEvent[];

  beforeAll(async () => {
    store = new InMemoryEventStore();
    for (let i = 0; i < 10; i++) {
      await store.appendToStream(`s-${i % 3}`, [{ id: randomUUID(), type: 'Happened', data: { i }, metadata: {} }]);
    }
    all = await store.readAll();
  });

  async function collect(range: Parameters<typeof logPages>[1]): Promise<number[][]> {
    const pages: number[][] = [];
    for await (const page of logPages(store, range)) pages.push(page.map((e) => e.data.i as number));
    return pages;
  }

  it('reads the whole log in pages, in order, from after (exclusive)', async () => {
    expect(await collect({ after: null, pageSize: 4 })).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(await collect({ after: all[5].position, pageSize: 5 })).toEqual([[6, 7, 8, 9]]);
  });

  it('stops at until (inclusive)', async () => {
    expect(await collect({ after: null, until: all[5].position, pageSize: 4 })).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect(await collect({ after: all[5].position, until: all[5].position, pageSize: 4 })).toEqual([]);
  });

  it('without read-ahead, reads the next page only when the caller asks for it', async () => {
    const spy = jest.spyOn(store, 'readAll');
    try {
      const pages = logPages(store, { after: null, pageSize: 4, readAhead: false });
      expect((await pages.next()).value).toHaveLength(4);
      expect(spy).toHaveBeenCalledTimes(1);
      await pages.return(undefined);
      expect(spy).toHaveBeenCalledTimes(1);
      const ahead = logPages(store, { after: null, pageSize: 4 });
      await ahead.next();
      expect(spy).toHaveBeenCalledTimes(3);
      await ahead.return(undefined);
    } finally {
      spy.mockRestore();
    }
  });

  it('stops after limit events, never asking the store for more than it needs', async () => {
    const spy = jest.spyOn(store, 'readAll');
    try {
      expect(await collect({ after: null, limit: 6, pageSize: 4 })).toEqual([[0, 1, 2, 3], [4, 5]]);
      expect(spy.mock.calls.map(([options]) => options?.maxCount)).toEqual([4, 2]);
      expect(await collect({ after: null, limit: 0, pageSize: 4 })).toEqual([]);
      expect(await collect({ after: null, limit: 50, pageSize: 4 })).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    } finally {
      spy.mockRestore();
    }
  });
});
