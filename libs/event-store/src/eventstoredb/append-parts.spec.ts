import { splitIntoParts, storedPrefix } from './append-parts';

describe('splitIntoParts', () => {
  it('keeps a batch under the limit in one part, the limit itself included', () => {
    expect(splitIntoParts([10, 20, 30], 60)).toEqual([[0, 3]]);
    expect(splitIntoParts([60], 60)).toEqual([[0, 1]]);
  });

  it('starts a new part before the event that would take the running size over the limit', () => {
    expect(splitIntoParts([40, 30, 30, 50, 10], 60)).toEqual([
      [0, 1],
      [1, 3],
      [3, 5],
    ]);
  });

  it('gives every event of a batch of events at the limit a part of its own', () => {
    expect(splitIntoParts([5, 5, 5], 5)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('refuses an event over the limit on its own', () => {
    expect(() => splitIntoParts([1, 7], 5)).toThrow(RangeError);
  });
});

describe('storedPrefix', () => {
  const parts = [
    [0, 2],
    [2, 4],
    [4, 5],
  ] as const;
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const tail = (...newestFirst: string[]) => newestFirst.map((id) => ({ id }));

  it('finds the parts a failed attempt left at the end of the stream', () => {
    expect(storedPrefix(tail('b', 'a', 'x'), ids, parts)).toBe(2);
    expect(storedPrefix(tail('D', 'c', 'b', 'a'), ids, parts)).toBe(4);
  });

  it('finds nothing when the stream does not end with a whole part of the batch', () => {
    expect(storedPrefix(tail('x', 'b', 'a'), ids, parts)).toBe(0);
    // Parts are written whole: a stream ending a, b, c has no part boundary at its end.
    expect(storedPrefix(tail('c', 'b', 'a'), ids, parts)).toBe(0);
    expect(storedPrefix(tail('a'), ids, parts)).toBe(0);
    expect(storedPrefix([], ids, parts)).toBe(0);
  });
});
