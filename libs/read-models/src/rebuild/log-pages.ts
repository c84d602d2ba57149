import { comparePositions, EventStore, GlobalPosition, RecordedEvent } from '@mfh/event-store';

export interface LogRange {
  /** Exclusive; null: from the first event. */
  after: GlobalPosition | null;
  /** Inclusive; omitted: up to the head of the log (the first page shorter than `pageSize`). */
  until?: GlobalPosition;
  pageSize: number;
}

/** Compares positions where null stands for "before the first event". */
export function compareCheckpoints(a: GlobalPosition | null, b: GlobalPosition | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return comparePositions(a, b);
}

/**
 * Pages of the global log in `range`. The next page is read while the caller handles the current
 * one, so a reader that applies pages costs about the slower of reading and applying, not their sum.
 */
export async function* logPages(store: EventStore, range: LogRange): AsyncGenerator<RecordedEvent[]> {
  const read = (after: GlobalPosition | null): Promise<RecordedEvent[]> => {
    const page = store.readAll({ after, maxCount: range.pageSize });
    // A read still in flight when the caller gives up must not become an unhandled rejection.
    page.catch(() => undefined);
    return page;
  };
  if (range.until && compareCheckpoints(range.until, range.after) <= 0) return;
  let next: Promise<RecordedEvent[]> | null = read(range.after);
  while (next) {
    let page = await next;
    next = null;
    if (page.length === 0) return;
    let done = page.length < range.pageSize;
    const until = range.until;
    if (until) {
      const beyond = page.findIndex((event) => comparePositions(event.position, until) > 0);
      if (beyond >= 0) page = page.slice(0, beyond);
      if (beyond >= 0 || (page.length > 0 && comparePositions(page[page.length - 1].position, until) === 0)) done = true;
    }
    if (!done) next = read(page[page.length - 1].position);
    if (page.length > 0) yield page;
  }
}
