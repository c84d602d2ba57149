/** EventStoreDB's default MaxAppendSize (`EVENTSTORE_MAX_APPEND_SIZE`), in bytes. */
export const DEFAULT_MAX_APPEND_SIZE = 1_048_576;

/** Half-open ranges `[start, end)` of a batch's events. */
export type AppendPart = readonly [start: number, end: number];

/**
 * Cuts a batch into consecutive parts of at most `maxSize` bytes each, as few as taking events in
 * order allows. Every size must already be at most `maxSize`.
 */
export function splitIntoParts(sizes: readonly number[], maxSize: number): AppendPart[] {
  const parts: AppendPart[] = [];
  let start = 0;
  let size = 0;
  sizes.forEach((eventSize, i) => {
    if (eventSize > maxSize) throw new RangeError(`event ${i} takes ${eventSize} bytes, over ${maxSize}`);
    if (size + eventSize > maxSize) {
      parts.push([start, i]);
      start = i;
      size = 0;
    }
    size += eventSize;
  });
  if (start < sizes.length) parts.push([start, sizes.length]);
  return parts;
}

/**
 * How many of the batch's events, at a part boundary, are already the last events of the stream (a
 * re-send after a failure between parts). `newestFirst` is the stream's tail, read backwards.
 */
export function storedPrefix(newestFirst: readonly { id: string }[], ids: readonly string[], parts: readonly AppendPart[]): number {
  for (let p = parts.length - 2; p >= 0; p--) {
    const done = parts[p][1];
    if (done > newestFirst.length) continue;
    if (ids.slice(0, done).every((id, i) => newestFirst[done - 1 - i].id.toLowerCase() === id.toLowerCase())) return done;
  }
  return 0;
}
