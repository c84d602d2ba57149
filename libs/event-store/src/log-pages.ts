import type { EventStore, GlobalPosition, RecordedEvent } from './event-store.port';
import { comparePositions } from './global-position';

export interface LogRange {
  /** Exclusive; null: from the first event. */
  after: GlobalPosition | null;
  /** Inclusive; omitted: up to the head of the log (the first page shorter than `pageSize`). */
  until?: GlobalPosition;
  /** At most this many events in all; omitted: no limit. */
  limit?: number;
  /**
   * Default true: read the next page while the caller handles this one. False: read it only when
   * the caller asks for it, so a caller that stops (a client that hung up) causes no further read.
   */
  readAhead?: boolean;
  pageSize: number;
}

/** Compares positions where null stands for "before the first event". */
export function compareCheckpoints(a: GlobalPosition | null, b: GlobalPosition | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return comparePositions(a, b);
}

/**
 * Pages of the global log in `range`. By default the next page is read while the caller handles the
 * current one, so a reader that applies pages costs about the slower of reading and applying, not
 * their sum.
 */
export async function* logPages(store: EventStore, range: LogRange): AsyncGenerator<RecordedEvent[]> {
  let remaining = range.limit ?? Number.POSITIVE_INFINITY;
  let asked = 0;
  const read = (after: GlobalPosition | null): Promise<RecordedEvent[]> => {
    asked = Math.min(range.pageSize, remaining);
    const page = store.readAll({ after, maxCount: asked });
    // A read still in flight when the caller gives up must not become an unhandled rejection.
    page.catch(() => undefined);
    return page;
  };
  if (remaining <= 0 || (range.until && compareCheckpoints(range.until, range.after) <= 0)) return;
  let next: Promise<RecordedEvent[]> | null = read(range.after);
  while (next) {
    let page = await next;
    next = null;
    if (page.length === 0) return;
    let done = page.length < asked;
    const until = range.until;
    if (until) {
      const beyond = page.findIndex((event) => comparePositions(event.position, until) > 0);
      if (beyond >= 0) page = page.slice(0, beyond);
      if (beyond >= 0 || (page.length > 0 && comparePositions(page[page.length - 1].position, until) === 0)) done = true;
    }
    remaining -= page.length;
    const more = !done && remaining > 0;
    const after = page.length > 0 ? page[page.length - 1].position : null;
    if (more && range.readAhead !== false) next = read(after);
    if (page.length > 0) yield page;
    if (more && range.readAhead === false) next = read(after);
  }
}
