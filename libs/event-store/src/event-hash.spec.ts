import { ChainVerifier, ChainedEvent, HashedContent, canonicalEventContent, chainHashes, eventHash, verifyChain } from './event-hash';

const FIXED: HashedContent = {
  streamId: 'subscription-1',
  revision: 0,
  id: '0B0C5A4E-2F7D-4C5E-9A1B-3D2E1F0A9B8C',
  type: 'SubscriptionStarted',
  data: { seats: 5, plan: 'pro' },
  metadata: { occurredAt: '2025-01-01T00:00:00.000Z', actor: 'partner-a' },
  previousHash: null,
};

/** A stream of `n` correctly chained events. */
function chain(streamId: string, n: number): ChainedEvent[] {
  const events = Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    type: i === 0 ? 'SubscriptionStarted' : 'SeatsChanged',
    data: { seats: i + 1, nested: { list: [i, 'x'] } },
    metadata: { actor: 'spec', occurredAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() },
  }));
  const links = chainHashes(streamId, 0, null, events);
  return events.map((e, i) => ({ ...e, streamId, revision: i, ...links[i] }));
}

describe('canonicalEventContent', () => {
  it('is RFC 8785 JSON of the fixed field set, keys sorted, id in lower case', () => {
    expect(canonicalEventContent(FIXED)).toBe(
      '{"data":{"plan":"pro","seats":5},"eventId":"0b0c5a4e-2f7d-4c5e-9a1b-3d2e1f0a9b8c",' +
        '"metadata":{"actor":"partner-a","occurredAt":"2025-01-01T00:00:00.000Z"},' +
        '"previousHash":null,"revision":0,"streamId":"subscription-1","type":"SubscriptionStarted"}',
    );
  });

  it('does not depend on key order at any depth', () => {
    const a = { ...FIXED, data: { a: 1, b: { c: [1, { d: 2, e: 3 }], f: 'g' } }, metadata: { x: 1, y: { z: 2, w: 3 } } };
    const b = { ...FIXED, metadata: { y: { w: 3, z: 2 }, x: 1 }, data: { b: { f: 'g', c: [1, { e: 3, d: 2 }] }, a: 1 } };
    expect(canonicalEventContent(b)).toBe(canonicalEventContent(a));
    expect(eventHash(b)).toBe(eventHash(a));
  });

  it('serializes like the JSON a store keeps: undefined dropped, dates as ISO strings, numbers in shortest form', () => {
    const live = { ...FIXED, data: { at: new Date(0), gone: undefined, n: 1.0, big: 1e21, list: [undefined] } };
    const stored = { ...FIXED, data: JSON.parse(JSON.stringify(live.data)) };
    expect(canonicalEventContent(live)).toBe(canonicalEventContent(stored));
    expect(canonicalEventContent(live)).toContain('"data":{"at":"1970-01-01T00:00:00.000Z","big":1e+21,"list":[null],"n":1}');
  });
});

describe('eventHash', () => {
  it('is a pinned SHA-256 for a fixed event, so any change of the canonical form fails here', () => {
    expect(eventHash(FIXED)).toBe('8c2e535e9b36703ff466c0adf611865dcaf7ccba9a87283a1a025ff7574ef631');
  });

  it('ignores the letter case of the event id', () => {
    expect(eventHash({ ...FIXED, id: FIXED.id.toLowerCase() })).toBe(eventHash(FIXED));
  });

  it.each<[string, Partial<HashedContent>]>([
    ['stream', { streamId: 'subscription-2' }],
    ['revision', { revision: 1 }],
    ['id', { id: '0b0c5a4e-2f7d-4c5e-9a1b-3d2e1f0a9b8d' }],
    ['type', { type: 'SubscriptionEnded' }],
    ['data', { data: { seats: 6, plan: 'pro' } }],
    ['metadata', { metadata: { occurredAt: '2025-01-01T00:00:00.001Z', actor: 'partner-a' } }],
    ['previous hash', { previousHash: '0'.repeat(64) }],
  ])('changes with the %s', (_, change) => {
    expect(eventHash({ ...FIXED, ...change })).not.toBe(eventHash(FIXED));
  });
});

describe('chainHashes', () => {
  it('links each new event to the one before, starting from the given hash and revision', () => {
    const start = 'a'.repeat(64);
    const events = [FIXED, { ...FIXED, id: '0b0c5a4e-2f7d-4c5e-9a1b-3d2e1f0a9b8d' }];
    const links = chainHashes('s', 7, start, events);
    expect(links[0]).toEqual({
      previousHash: start,
      hash: eventHash({ ...events[0], streamId: 's', revision: 7, previousHash: start }),
    });
    expect(links[1]).toEqual({
      previousHash: links[0].hash,
      hash: eventHash({ ...events[1], streamId: 's', revision: 8, previousHash: links[0].hash }),
    });
  });
});

describe('verifyChain', () => {
  const ok = (events: number) => ({ valid: true, events, brokenAtRevision: null, reason: null });
  const broken = (at: number, reason: string, events: number) => ({ valid: false, events, brokenAtRevision: at, reason });

  it('accepts an intact chain and an empty stream', () => {
    expect(verifyChain(chain('s', 5))).toEqual(ok(5));
    expect(verifyChain([])).toEqual(ok(0));
  });

  it('accepts a truncated tail: the chain cannot tell that the last events are gone', () => {
    expect(verifyChain(chain('s', 5).slice(0, 3))).toEqual(ok(3));
  });

  it('reports a truncated tail when something once saw the stream further', () => {
    const events = chain('s', 5);
    expect(verifyChain(events, { seenRevision: 4 })).toEqual(ok(5));
    expect(verifyChain(events, { seenRevision: 2 })).toEqual(ok(5));
    expect(verifyChain(events.slice(0, 3), { seenRevision: 4 })).toEqual(broken(3, 'truncated', 3));
    expect(verifyChain([], { seenRevision: 0 })).toEqual(broken(0, 'truncated', 0));
    expect(verifyChain(events.slice(0, 3), { seenRevision: null })).toEqual(ok(3));
    // The first break found stays the one reported.
    expect(verifyChain([events[0], events[2]], { seenRevision: 4 })).toEqual(broken(1, 'revision-gap', 2));
  });

  it('reports a deleted event as a gap at its revision', () => {
    const events = chain('s', 5);
    expect(verifyChain([...events.slice(0, 2), ...events.slice(3)])).toEqual(broken(2, 'revision-gap', 3));
    expect(verifyChain(events.slice(1))).toEqual(broken(0, 'revision-gap', 1));
  });

  it('reports edited content at the edited event', () => {
    const events = chain('s', 5);
    events[3] = { ...events[3], data: { ...events[3].data, seats: 99 } };
    expect(verifyChain(events)).toEqual(broken(3, 'content-altered', 4));
    const metadata = chain('s', 5);
    metadata[1] = { ...metadata[1], metadata: { ...metadata[1].metadata, actor: 'someone-else' } };
    expect(verifyChain(metadata)).toEqual(broken(1, 'content-altered', 2));
  });

  it('reports an overwritten hash at that event, and a forged one (content and hash rewritten) at the next', () => {
    const events = chain('s', 5);
    events[2] = { ...events[2], hash: 'f'.repeat(64) };
    expect(verifyChain(events)).toEqual(broken(2, 'content-altered', 3));

    const forged = chain('s', 5);
    const content = { ...forged[2], data: { seats: 99 } };
    forged[2] = { ...content, hash: eventHash(content) };
    expect(verifyChain(forged)).toEqual(broken(3, 'previous-hash-mismatch', 4));
  });

  it('reports an edited previous hash at that event', () => {
    const events = chain('s', 5);
    events[4] = { ...events[4], previousHash: events[2].hash };
    expect(verifyChain(events)).toEqual(broken(4, 'previous-hash-mismatch', 5));
    const first = chain('s', 2);
    first[0] = { ...first[0], previousHash: 'a'.repeat(64) };
    expect(verifyChain(first)).toEqual(broken(0, 'previous-hash-mismatch', 1));
  });
});

describe('ChainVerifier', () => {
  it('checks interleaved streams each on its own and reports each stream’s first break once', () => {
    const a = chain('a', 4);
    const b = chain('b', 4);
    const c = chain('c', 2);
    b[1] = { ...b[1], data: { forged: true } };
    const verifier = new ChainVerifier();
    const found = [a[0], b[0], a[1], b[1], c[0], b[2], a[2], c[1], b[3], a[3]].map((e) => verifier.add(e));

    expect(found.filter((f) => f !== null)).toEqual([{ streamId: 'b', revision: 1, reason: 'content-altered' }]);
    expect(verifier.breaks).toEqual([{ streamId: 'b', revision: 1, reason: 'content-altered' }]);
    expect(verifier.streams).toBe(3);
    // b's events after its break are skipped: 4 of a, 2 of b, 2 of c.
    expect(verifier.events).toBe(8);
  });

  it('checks tails after the pass, once per stream, including streams the log no longer has', () => {
    const verifier = new ChainVerifier();
    for (const e of chain('a', 3)) verifier.add(e);
    expect(verifier.checkTail('a', 2)).toBeNull();
    expect(verifier.checkTail('a', 5)).toEqual({ streamId: 'a', revision: 3, reason: 'truncated' });
    expect(verifier.checkTail('a', 6)).toBeNull();
    expect(verifier.checkTail('gone', 0)).toEqual({ streamId: 'gone', revision: 0, reason: 'truncated' });
    expect(verifier.breaks).toHaveLength(2);
  });

  it('does not mix up streams that share revisions', () => {
    const a = chain('a', 2);
    const b = chain('b', 2);
    const verifier = new ChainVerifier();
    for (const e of [a[0], b[0], b[1], a[1]]) expect(verifier.add(e)).toBeNull();
    expect(verifier.add({ ...chain('a', 3)[2], previousHash: b[1].hash })).toEqual({
      streamId: 'a',
      revision: 2,
      reason: 'previous-hash-mismatch',
    });
  });
});
