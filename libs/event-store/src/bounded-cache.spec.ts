import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('replaces and deletes entries', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 5);
    expect(cache.get('a')).toBe(5);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps an entry read within the last half of its capacity, without moving it on every read', () => {
    const cache = new BoundedCache<number, number>(10);
    for (let i = 0; i < 10; i++) cache.set(i, i);
    // 0 is the oldest; read now, it has aged by 9 writes (more than half the capacity) and moves up.
    expect(cache.get(0)).toBe(0);
    for (let i = 10; i < 15; i++) cache.set(i, i);
    expect(cache.get(0)).toBe(0);
    expect(cache.get(1)).toBeUndefined();
    for (let i = 15; i < 19; i++) cache.set(i, i);
    expect(cache.get(0)).toBe(0);
    expect(cache.size).toBe(10);
  });
});
