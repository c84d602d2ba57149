import { HashingGate } from './hashing-gate';

/** Work that finishes when the test says so, recording when it started. */
function controlled() {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  const work = (id: number) => () => {
    started.push(id);
    return new Promise<number>((resolve) => finish.set(id, () => resolve(id)));
  };
  return { started, work, finish: (id: number) => finish.get(id)!() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingGate', () => {
  it('runs at most `concurrency` at once, the rest in arrival order', async () => {
    const gate = new HashingGate(2, 10);
    const { started, work, finish } = controlled();
    const results = [1, 2, 3, 4].map((id) => gate.tryRun(work(id)));
    await settle();
    expect(started).toEqual([1, 2]);

    finish(2);
    await settle();
    expect(started).toEqual([1, 2, 3]);
    finish(1);
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    finish(3);
    finish(4);
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
  });

  it('refuses at once, without running the work, when `maxWaiting` callers already wait', async () => {
    const gate = new HashingGate(1, 2);
    const { started, work, finish } = controlled();
    const admitted = [1, 2, 3].map((id) => gate.tryRun(work(id)));
    expect(await gate.tryRun(work(4))).toBeNull();
    await settle();
    expect(started).toEqual([1]);

    finish(1);
    await settle();
    // A slot in the queue is free again.
    const fifth = gate.tryRun(work(5));
    finish(2);
    await settle();
    finish(3);
    await settle();
    finish(5);
    expect(await Promise.all([...admitted, fifth])).toEqual([1, 2, 3, 5]);
    expect(started).toEqual([1, 2, 3, 5]);
  });

  it('with no queue, refuses whatever arrives while every slot is busy', async () => {
    const gate = new HashingGate(1, 0);
    const { work, finish } = controlled();
    const first = gate.tryRun(work(1));
    expect(await gate.tryRun(work(2))).toBeNull();
    finish(1);
    expect(await first).toBe(1);
    const third = gate.tryRun(work(3));
    await settle();
    finish(3);
    expect(await third).toBe(3);
  });

  it('frees the slot of work that fails', async () => {
    const gate = new HashingGate(1, 0);
    await expect(gate.tryRun(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.tryRun(() => Promise.resolve('next'))).toBe('next');
  });
});
