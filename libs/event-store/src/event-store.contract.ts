import { randomUUID } from 'node:crypto';
import { eventHash, verifyChain } from './event-hash';
import { WrongExpectedVersionError } from './event-store.errors';
import type { EventStore, GlobalPosition, NewEvent, RecordedEvent } from './event-store.port';
import { comparePositions } from './global-position';

export interface ContractTarget {
  store: EventStore;
  /** Called once after the suite. */
  dispose?: () => Promise<void>;
}

export interface ContractOptions {
  /** Lists the suite as skipped, with this reason in its title, instead of running it. */
  skip?: string;
}

/**
 * The behaviour every adapter must show. Each test uses fresh stream ids, so the suite also runs
 * against a shared, non-empty store (a real EventStoreDB).
 */
export function eventStoreContract(
  name: string,
  connect: () => Promise<ContractTarget>,
  options: ContractOptions = {},
): void {
  const suite = options.skip === undefined ? describe : describe.skip;
  const title = options.skip === undefined ? name : `${name}: skipped, ${options.skip}`;
  suite(`EventStore contract: ${title}`, () => {
    let target: ContractTarget;
    let store: EventStore;

    beforeAll(async () => {
      target = await connect();
      store = target.store;
    });

    afterAll(async () => {
      await target?.store.close();
      await target?.dispose?.();
    });

    const stream = (): string => `contract-${randomUUID()}`;
    const event = (type = 'Happened', data: Record<string, unknown> = {}): NewEvent => ({
      id: randomUUID(),
      type,
      data: { value: randomUUID(), ...data },
      metadata: { actor: 'contract', correlationId: randomUUID() },
    });
    const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);

    async function headPosition(): Promise<GlobalPosition | null> {
      let after: GlobalPosition | null = null;
      for (;;) {
        const page: RecordedEvent[] = await store.readAll({ after, maxCount: 1000 });
        if (page.length === 0) return after;
        after = page[page.length - 1].position;
      }
    }

    /**
     * Pages through readAll from `after` until `want` events of `streams` came. A store may hold
     * events back while older transactions anywhere are still open, so an empty page means "wait".
     */
    async function readOwn(after: GlobalPosition | null, streams: string[], want: number, pageSize = 1000): Promise<RecordedEvent[]> {
      const deadline = Date.now() + 10_000;
      const seen: RecordedEvent[] = [];
      let position = after;
      for (;;) {
        const page = await store.readAll({ after: position, maxCount: pageSize });
        expect(page.length).toBeLessThanOrEqual(pageSize);
        if (page.length > 0) {
          seen.push(...page.filter((e) => streams.includes(e.streamId)));
          position = page[page.length - 1].position;
        }
        if (seen.length >= want || Date.now() > deadline) return seen;
        if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    describe('appendToStream', () => {
      it('creates a stream with no_stream and numbers events from 0', async () => {
        const id = stream();
        const result = await store.appendToStream(id, [event(), event()], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1);
        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read.every((e) => e.streamId === id)).toBe(true);
      });

      it('refuses no_stream when the stream exists', async () => {
        const id = stream();
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        const error = await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.streamId).toBe(id);
        expect(error.actual).toBe(0);
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('appends at an exact revision and refuses a stale one', async () => {
        const id = stream();
        await store.appendToStream(id, [event(), event()], { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(id, [event()], { expectedRevision: 1 });
        expect(ok.nextExpectedRevision).toBe(2);
        const error = await store.appendToStream(id, [event()], { expectedRevision: 1 }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.expected).toBe(1);
        expect(error.actual).toBe(2);
        expect(await store.readStream(id)).toHaveLength(3);
      });

      it('refuses an exact revision on a missing stream', async () => {
        const id = stream();
        const error = await store.appendToStream(id, [event()], { expectedRevision: 0 }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actual).toBe('no_stream');
        expect(await store.readStream(id)).toEqual([]);
      });

      it('stream_exists needs an existing stream', async () => {
        const id = stream();
        const error = await store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        await store.appendToStream(id, [event()]);
        const ok = await store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' });
        expect(ok.nextExpectedRevision).toBe(1);
      });

      it('any appends whatever the stream holds', async () => {
        const id = stream();
        expect((await store.appendToStream(id, [event()], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(id, [event(), event()])).nextExpectedRevision).toBe(2);
      });

      it('is atomic: a refused batch writes nothing', async () => {
        const id = stream();
        await store.appendToStream(id, [event()]);
        await expect(store.appendToStream(id, [event(), event(), event()], { expectedRevision: 5 })).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('treats a re-append of the same event ids at the same expected revision as a no-op', async () => {
        const id = stream();
        const first = [event(), event()];
        const original = await store.appendToStream(id, first, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(id, first, { expectedRevision: 'no_stream' });
        expect(again.nextExpectedRevision).toBe(original.nextExpectedRevision);
        expect({ original: original.alreadyStored, again: again.alreadyStored }).toEqual({ original: undefined, again: true });

        const second = [event()];
        await store.appendToStream(id, second, { expectedRevision: 1 });
        const repeat = await store.appendToStream(id, second, { expectedRevision: 1 });
        expect(repeat.nextExpectedRevision).toBe(2);
        expect(repeat.alreadyStored).toBe(true);
        expect(ids(await store.readStream(id))).toEqual(ids([...first, ...second]));
      });

      it('only one of many concurrent appends at the same revision wins', async () => {
        const id = stream();
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.appendToStream(id, [event()], { expectedRevision: 0 })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((r) => r.reason instanceof WrongExpectedVersionError)).toBe(true);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('readStream', () => {
      it('returns an empty array for a missing stream', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('reads forwards from a revision with a maximum count', async () => {
        const id = stream();
        const written = [event(), event(), event(), event(), event()];
        await store.appendToStream(id, written);
        expect(ids(await store.readStream(id))).toEqual(ids(written));
        expect(ids(await store.readStream(id, { fromRevision: 2 }))).toEqual(ids(written.slice(2)));
        expect(ids(await store.readStream(id, { fromRevision: 1, maxCount: 2 }))).toEqual(ids(written.slice(1, 3)));
      });

      it('reads backwards from the end or from a revision', async () => {
        const id = stream();
        const written = [event(), event(), event(), event()];
        await store.appendToStream(id, written);
        expect(ids(await store.readStream(id, { direction: 'backwards' }))).toEqual(ids([...written].reverse()));
        expect(ids(await store.readStream(id, { direction: 'backwards', maxCount: 1 }))).toEqual([written[3].id]);
        expect(ids(await store.readStream(id, { direction: 'backwards', fromRevision: 2, maxCount: 2 }))).toEqual(
          ids([written[2], written[1]]),
        );
      });

      it('round-trips type, data, metadata and a recorded time', async () => {
        const id = stream();
        const before = Date.now();
        const written: NewEvent = {
          id: randomUUID(),
          type: 'SeatsChanged',
          data: { quantity: 7, nested: { list: [1, 'two', null, true] }, text: 'Zürich ✓ "quoted"', empty: {} },
          metadata: {
            actor: 'contoso-partner',
            role: 'partner',
            source: 'Partner',
            correlationId: randomUUID(),
            causationId: randomUUID(),
            requestId: randomUUID(),
            occurredAt: new Date().toISOString(),
            extra: { depth: [{ a: 1 }] },
          },
        };
        await store.appendToStream(id, [written]);
        const [read] = await store.readStream(id);
        expect(read.id).toBe(written.id);
        expect(read.type).toBe(written.type);
        expect(read.data).toEqual(written.data);
        expect(read.metadata).toEqual(written.metadata);
        expect(read.recordedAt).toBeInstanceOf(Date);
        expect(read.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(read.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
      });
    });

    describe('readAll', () => {
      it('returns every new event once, in append order, after a checkpoint', async () => {
        const checkpoint = await headPosition();
        const a = stream();
        const b = stream();
        const written = [event(), event(), event(), event()];
        await store.appendToStream(a, [written[0]]);
        await store.appendToStream(b, [written[1], written[2]]);
        await store.appendToStream(a, [written[3]]);

        const read = await readOwn(checkpoint, [a, b], written.length);
        expect(ids(read)).toEqual(ids(written));
        expect(read.map((e) => [e.streamId, e.revision])).toEqual([
          [a, 0],
          [b, 0],
          [b, 1],
          [a, 1],
        ]);
        for (let i = 1; i < read.length; i++) {
          expect(comparePositions(read[i - 1].position, read[i].position)).toBeLessThan(0);
        }
      });

      it('pages from the last position seen without gaps or repeats', async () => {
        const checkpoint = await headPosition();
        const id = stream();
        const written = Array.from({ length: 7 }, () => event());
        for (const e of written) await store.appendToStream(id, [e]);

        const seen = await readOwn(checkpoint, [id], written.length, 2);
        expect(ids(seen)).toEqual(ids(written));
      });

      it('carries the same positions as the append results', async () => {
        const checkpoint = await headPosition();
        const id = stream();
        const result = await store.appendToStream(id, [event(), event()]);
        const read = await readOwn(checkpoint, [id], 2);
        expect(comparePositions(read[1].position, result.position)).toBe(0);
        const rest = await store.readAll({ after: result.position, maxCount: 10_000 });
        expect(rest.some((e) => e.streamId === id)).toBe(false);
      });

      it('round-trips metadata in the global read too', async () => {
        const checkpoint = await headPosition();
        const id = stream();
        const written = event('MetadataChecked');
        await store.appendToStream(id, [written]);
        const [read] = await readOwn(checkpoint, [id], 1);
        expect(read.metadata).toEqual(written.metadata);
        expect(read.data).toEqual(written.data);
        expect(read.type).toBe('MetadataChecked');
      });
    });

    describe('headPosition', () => {
      it('is where the last append went, before the global read may hand it out, and moves with every append', async () => {
        const id = stream();
        const first = await store.appendToStream(id, [event()]);
        expect(comparePositions((await store.headPosition())!, first.position)).toBeGreaterThanOrEqual(0);
        const second = await store.appendToStream(id, [event(), event()]);
        const head = (await store.headPosition())!;
        expect(comparePositions(head, second.position)).toBeGreaterThanOrEqual(0);
        expect(comparePositions(head, first.position)).toBeGreaterThan(0);
        // Once the read has caught up, the last event it hands out stands at the head (other suites may append meanwhile).
        const [last] = (await readOwn(first.position, [id], 2)).slice(-1);
        expect(comparePositions(last.position, second.position)).toBe(0);
        expect(await store.hasEventAt(second.position)).toBe(true);
      });
    });

    describe('hasEventAt', () => {
      it('knows the position of every event read, and no position between, before or past them', async () => {
        const checkpoint = await headPosition();
        const id = stream();
        // Separate appends: each event in a transaction (a commit position) of its own.
        for (let i = 0; i < 3; i++) await store.appendToStream(id, [event()]);
        const read = await readOwn(checkpoint, [id], 3);
        for (const e of read) expect(await store.hasEventAt(e.position)).toBe(true);
        const [first, second] = read;
        const between = { commit: first.position.commit, prepare: first.position.prepare + 1n };
        expect(comparePositions(first.position, between)).toBeLessThan(0);
        expect(comparePositions(between, second.position)).toBeLessThan(0);
        expect(await store.hasEventAt(between)).toBe(false);
        expect(await store.hasEventAt({ commit: -1n, prepare: -1n })).toBe(false);
        expect(await store.hasEventAt({ commit: 2n ** 62n, prepare: 2n ** 62n })).toBe(false);
        expect(await store.hasEventAt({ commit: 2n ** 64n, prepare: 1n })).toBe(false);
      });
    });

    describe('hash chain', () => {
      const HEX_SHA256 = /^[0-9a-f]{64}$/;
      const links = (events: readonly RecordedEvent[]): [string, string | null][] =>
        events.map((e) => [e.hash, e.previousHash]);

      function expectChained(events: readonly RecordedEvent[]): void {
        events.forEach((e, i) => {
          expect(e.hash).toMatch(HEX_SHA256);
          expect(e.previousHash).toBe(i === 0 ? null : events[i - 1].hash);
          // Recomputed from what the store gives back, so the stored form hashes like the appended one.
          expect(eventHash(e)).toBe(e.hash);
        });
        expect(verifyChain(events)).toEqual({ valid: true, events: events.length, brokenAtRevision: null, reason: null });
      }

      it('chains every event to the one before it, across appends', async () => {
        const id = stream();
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        await store.appendToStream(id, [event()], { expectedRevision: 0 });
        await store.appendToStream(id, [event()]);
        await store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' });
        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
        expect(read[0].previousHash).toBeNull();
        expectChained(read);
        expect(new Set(read.map((e) => e.hash)).size).toBe(4);
      });

      it('chains the events of one batch to each other', async () => {
        const id = stream();
        await store.appendToStream(id, [event()]);
        await store.appendToStream(id, [event(), event(), event()], { expectedRevision: 0 });
        expectChained(await store.readStream(id));
      });

      it('hashes the content as read back, whatever its shape', async () => {
        const id = stream();
        await store.appendToStream(id, [
          {
            id: randomUUID(),
            type: 'SeatsChanged',
            data: { z: 1, a: { y: [1.5, -2, 1e21, 'Zürich ✓ "q"', null, true], b: {} } },
            metadata: { occurredAt: '2025-01-01T00:00:00.000Z', actor: 'contract' },
          },
          event(),
        ]);
        expectChained(await store.readStream(id));
      });

      it('returns the same chain fields backwards and from the global log', async () => {
        const checkpoint = await headPosition();
        const id = stream();
        await store.appendToStream(id, [event(), event()]);
        await store.appendToStream(id, [event()]);
        const forwards = await store.readStream(id);
        const backwards = await store.readStream(id, { direction: 'backwards' });
        const global = await readOwn(checkpoint, [id], 3);
        expect(links(backwards)).toEqual(links([...forwards].reverse()));
        expect(links(global)).toEqual(links(forwards));
        expectChained(global);
      });

      it('leaves the hashes unchanged when the same events are appended again', async () => {
        const id = stream();
        const batch = [event(), event()];
        await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const before = await store.readStream(id);
        await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(id, batch);
        const after = await store.readStream(id);
        expect(links(after)).toEqual(links(before));
        expect(ids(after)).toEqual(ids(batch));
      });

      it('keeps one unbroken chain under concurrent appends', async () => {
        const id = stream();
        await store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        const racing = Array.from({ length: 6 }, () => store.appendToStream(id, [event(), event()], { expectedRevision: 0 }));
        await Promise.allSettled(racing);
        await Promise.all(Array.from({ length: 4 }, () => store.appendToStream(id, [event()], { expectedRevision: 'any' })));
        const read = await store.readStream(id);
        expect(read).toHaveLength(7);
        expectChained(read);
      });

      it('chains each stream on its own', async () => {
        const a = stream();
        const b = stream();
        await store.appendToStream(a, [event()]);
        await store.appendToStream(b, [event()]);
        await store.appendToStream(a, [event()]);
        const [readA, readB] = await Promise.all([store.readStream(a), store.readStream(b)]);
        expectChained(readA);
        expectChained(readB);
        expect(readB[0].previousHash).toBeNull();
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
