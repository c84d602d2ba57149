import { randomUUID } from 'node:crypto';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { binaryEvent, EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { isDomainError } from '@mfh/domain';
import { EsdbStandIn, ESDB_WRITE_TRANSPORTS, startEsdbStandIn } from '@mfh/testing';
import { eventStoreContract } from '../event-store.contract';
import { eventHash, verifyChain } from '../event-hash';
import {
  AppendTooLargeError,
  DuplicateEventIdError,
  InvalidEventIdError,
  InvalidPositionError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from '../event-store.errors';
import type { GlobalPosition, NewEvent, RecordedEvent } from '../event-store.port';
import { EventStoreDBEventStore, HASH_METADATA_KEY, PREVIOUS_HASH_METADATA_KEY, SetAsideEvent } from './eventstoredb-event-store';

// Once per write transport: over BatchAppend, as the client talks to 24.10, and over Append, as to an older server.
for (const writeTransport of ESDB_WRITE_TRANSPORTS) {
  eventStoreContract(`eventstoredb (gRPC stand-in, ${writeTransport})`, async () => {
    const standIn = await startEsdbStandIn({ writeTransport });
    return { store: EventStoreDBEventStore.connect(standIn.url), dispose: () => standIn.stop() };
  });
}

const ESDB_URL = process.env.ESDB_URL;
if (!ESDB_URL) {
  console.warn(
    'EventStoreDB contract skipped: set ESDB_URL (e.g. esdb://localhost:2113?tls=false) to run it against a real server.',
  );
}
eventStoreContract(
  'eventstoredb (real server)',
  async () => ({ store: EventStoreDBEventStore.connect(ESDB_URL ?? '') }),
  ESDB_URL ? {} : { skip: 'set ESDB_URL to run it against a real server' },
);

const event = (type = 'Happened'): NewEvent => ({
  id: randomUUID(),
  type,
  data: { value: randomUUID() },
  metadata: { actor: 'adapter-spec', correlationId: randomUUID() },
});
const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);

const MIB = 1_048_576;
/** An event of a fixed size: every one of a batch of these counts the same against MaxAppendSize. */
const sized = (dataBytes: number): NewEvent => ({ ...event('Sized'), data: { value: randomUUID(), blob: 'x'.repeat(dataBytes) } });

describe.each(ESDB_WRITE_TRANSPORTS)('EventStoreDBEventStore against the gRPC stand-in (%s)', (writeTransport) => {
  let standIn: EsdbStandIn;
  let store: EventStoreDBEventStore;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    standIn = await startEsdbStandIn({ writeTransport });
    store = EventStoreDBEventStore.connect(standIn.url);
    client = EventStoreDBClient.connectionString(standIn.url);
  });

  /** Appends the server received for the stream, as event counts. */
  const appendsTo = (stream: string): number[] => standIn.appends.filter((a) => a.streamId === stream).map((a) => a.events);

  afterAll(async () => {
    await store.close();
    await client.dispose();
    await standIn.stop();
  });

  async function head(): Promise<GlobalPosition | null> {
    let after: GlobalPosition | null = null;
    for (;;) {
      const page: RecordedEvent[] = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return after;
      after = page[page.length - 1].position;
    }
  }

  it('stores JSON events under our ids with our metadata, as the client library reads them', async () => {
    const stream = `adapter-${randomUUID()}`;
    const written = { ...event('SeatsChanged'), metadata: { actor: 'contoso-partner', nested: { list: [1, 'two'] } } };
    await store.appendToStream(stream, [written], { expectedRevision: 'no_stream' });

    const [raw] = await client.readStream(stream).toArray();
    const [read] = await store.readStream(stream);
    expect(raw.event).toMatchObject({ id: written.id, type: 'SeatsChanged', isJson: true, data: written.data, revision: 0n });
    // The chain travels in the stored metadata and is moved out of it on reading.
    expect(raw.event?.metadata).toEqual({
      ...written.metadata,
      [HASH_METADATA_KEY]: read.hash,
      [PREVIOUS_HASH_METADATA_KEY]: null,
    });
    expect(read).toMatchObject({ id: written.id, data: written.data, metadata: written.metadata, streamId: stream });
    expect(read.hash).toBe(eventHash({ ...written, streamId: stream, revision: 0, previousHash: null }));
    expect(read.recordedAt.getTime()).toBe((raw.event?.created as Date).getTime());
  });

  it('reads events written by other clients without metadata as having empty metadata', async () => {
    const stream = `adapter-${randomUUID()}`;
    const id = randomUUID();
    await client.appendToStream(stream, jsonEvent({ id, type: 'Imported', data: { n: 1 } }));
    const [read] = await store.readStream(stream);
    expect(read).toMatchObject({ id, type: 'Imported', data: { n: 1 }, metadata: {}, hash: '', previousHash: null });
  });

  it('lets verification find an event another client appended with a made-up chain', async () => {
    const stream = `adapter-${randomUUID()}`;
    await store.appendToStream(stream, [event(), event()]);
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const forged = { value: 'forged' };
    await client.appendToStream(
      stream,
      jsonEvent({
        type: 'Happened',
        data: forged,
        metadata: { actor: 'intruder', [HASH_METADATA_KEY]: 'f'.repeat(64), [PREVIOUS_HASH_METADATA_KEY]: last.hash },
      }),
    );
    await store.appendToStream(stream, [event()], { expectedRevision: 2 });
    const read = await store.readStream(stream);
    expect(read[3].previousHash).toBe('f'.repeat(64));
    expect(verifyChain(read)).toEqual({ valid: false, events: 3, brokenAtRevision: 2, reason: 'content-altered' });
  });

  it('refuses metadata that uses the chain keys', async () => {
    const taken = { ...event(), metadata: { [HASH_METADATA_KEY]: 'mine' } };
    await expect(store.appendToStream(`adapter-${randomUUID()}`, [taken])).rejects.toThrow(HASH_METADATA_KEY);
  });

  it("treats a re-send of the stream's last events with 'any' as a no-op, and a partial one as a duplicate", async () => {
    const stream = `adapter-${randomUUID()}`;
    const batch = [event(), event()];
    await store.appendToStream(stream, [event()]);
    const original = await store.appendToStream(stream, batch, { expectedRevision: 'any' });
    const before = await store.readStream(stream);

    expect(await store.appendToStream(stream, batch, { expectedRevision: 'any' })).toEqual({ ...original, alreadyStored: true });
    expect(await store.appendToStream(stream, batch, { expectedRevision: 'stream_exists' })).toEqual({ ...original, alreadyStored: true });
    await expect(store.appendToStream(stream, [batch[1], event()])).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream(stream)).toEqual(before);
  });

  it('refuses an expected revision beyond the stream without sending an append', async () => {
    const stream = `adapter-${randomUUID()}`;
    await store.appendToStream(stream, [event()]);
    const error = await store.appendToStream(stream, [event()], { expectedRevision: 3 }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expected: 3, actual: 0 });
    expect(appendsTo(stream)).toEqual([1]);
  });

  it('readAll skips system streams and system event types but still returns maxCount of our events', async () => {
    const checkpoint = await head();
    const ours = `adapter-${randomUUID()}`;
    const first = event();
    const second = event();
    await store.appendToStream(ours, [first]);
    await client.appendToStream(
      `$adapter-system-${randomUUID()}`,
      Array.from({ length: 150 }, () => jsonEvent({ type: 'SystemNoise', data: {} })),
    );
    await client.appendToStream(`adapter-${randomUUID()}`, jsonEvent({ type: '$metadata-like', data: {} }));
    await store.appendToStream(ours, [second]);

    const both = await store.readAll({ after: checkpoint, maxCount: 2 });
    expect(ids(both)).toEqual(ids([first, second]));

    const [one] = await store.readAll({ after: checkpoint, maxCount: 1 });
    expect(one.id).toBe(first.id);
    const rest = await store.readAll({ after: one.position, maxCount: 1 });
    expect(ids(rest)).toEqual([second.id]);
    expect(await store.readAll({ after: rest[0].position })).toEqual([]);
  });

  it('readAll sets aside, telling once, what other clients wrote that is not JSON or has no chain of ours, and reads on past it', async () => {
    const told: SetAsideEvent[] = [];
    const watched = EventStoreDBEventStore.connect(standIn.url, { onSetAside: (aside) => told.push(aside) });
    try {
      const checkpoint = await head();
      const stream = `adapter-${randomUUID()}`;
      const before = event();
      const after = event();
      await store.appendToStream(stream, [before]);
      const theirs = `imported-${randomUUID()}`;
      await client.appendToStream(theirs, binaryEvent({ type: 'Blob', data: Buffer.from([0xde, 0xad]) }));
      await client.appendToStream(theirs, jsonEvent({ type: 'SeatsChanged', data: { quantity: 999 } }));
      await store.appendToStream(stream, [after]);

      const read = await watched.readAll({ after: checkpoint, maxCount: 10 });
      expect(ids(read)).toEqual(ids([before, after]));
      expect(told.map(({ streamId, type, reason }) => [streamId, type, reason])).toEqual([
        [theirs, 'Blob', 'its data is not a JSON object'],
        [theirs, 'SeatsChanged', "it carries no hash chain of this system's"],
      ]);
      await watched.readAll({ after: checkpoint, maxCount: 10 });
      expect(told).toHaveLength(2);
      // The head is this system's last event, not another client's.
      await client.appendToStream(theirs, jsonEvent({ type: 'Trailing', data: {} }));
      expect(await watched.headPosition()).toEqual(read[read.length - 1].position);
    } finally {
      await watched.close();
    }
  });

  it('headPosition finds this system\'s last event behind more system events than its first page holds', async () => {
    const stream = `adapter-${randomUUID()}`;
    const { position } = await store.appendToStream(stream, [event()]);
    await client.appendToStream(`$adapter-system-${randomUUID()}`, Array.from({ length: 100 }, () => jsonEvent({ type: 'SystemNoise', data: {} })));
    expect(await store.headPosition()).toEqual(position);
  });

  it('readAll keeps reading past one server page until maxCount is reached', async () => {
    const checkpoint = await head();
    const stream = `adapter-${randomUUID()}`;
    const written = Array.from({ length: 4_500 }, () => event());
    // 4,500 events take about 1.2 MB as KurrentDB 25 counts them: in one append, over the server's limit.
    for (let i = 0; i < written.length; i += 500) await store.appendToStream(stream, written.slice(i, i + 500));
    expect(appendsTo(stream)).toEqual(Array(9).fill(500));
    const read = await store.readAll({ after: checkpoint, maxCount: 4_400 });
    expect(ids(read)).toEqual(ids(written.slice(0, 4_400)));
    const rest = await store.readAll({ after: read[read.length - 1].position, maxCount: 10_000 });
    expect(ids(rest)).toEqual(ids(written.slice(4_400)));
  });

  it('treats the START sentinel as the beginning of the log', async () => {
    const fromNull = await store.readAll({ after: null, maxCount: 5 });
    const fromStart = await store.readAll({ after: { commit: -1n, prepare: -1n }, maxCount: 5 });
    expect(ids(fromStart)).toEqual(ids(fromNull));
  });

  it('appends nothing without writing: checks the expectation and reports the stream as it is', async () => {
    const stream = `adapter-${randomUUID()}`;
    expect(await store.appendToStream(stream, [], { expectedRevision: 'no_stream' })).toEqual({
      nextExpectedRevision: -1,
      position: { commit: -1n, prepare: -1n },
    });
    await expect(store.appendToStream(stream, [], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(appendsTo(stream)).toEqual([]);

    const written = await store.appendToStream(stream, [event(), event()]);
    expect(await store.appendToStream(stream, [], { expectedRevision: 1 })).toEqual(written);
    const error = await store.appendToStream(stream, [], { expectedRevision: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error.actual).toBe(1);
  });

  it('maps a refused append to our error with the expectation we passed and the actual revision', async () => {
    const stream = `adapter-${randomUUID()}`;
    await store.appendToStream(stream, [event(), event(), event()]);
    const error = await store.appendToStream(stream, [event()], { expectedRevision: 'no_stream' }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 2 });
  });

  it('reports the original revision and position for an idempotent re-append', async () => {
    const stream = `adapter-${randomUUID()}`;
    const batch = [event(), event()];
    const original = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    expect(await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' })).toEqual({ ...original, alreadyStored: true });
  });

  describe('over the maximum append size (1,048,576 bytes, counted as KurrentDB 25 counts: data, metadata, twice the type)', () => {
    it('writes an append with any in parts under the limit, chained on, and takes a re-send of it as a no-op', async () => {
      const stream = `adapter-${randomUUID()}`;
      await store.appendToStream(stream, [event()]);
      const written = Array.from({ length: 4_500 }, () => event());
      const result = await store.appendToStream(stream, written);
      expect(appendsTo(stream)).toEqual([1, expect.any(Number), expect.any(Number)]);
      expect(appendsTo(stream).slice(1).reduce((sum, n) => sum + n, 0)).toBe(4_500);
      const read = await store.readStream(stream);
      expect(ids(read)).toEqual(ids([read[0], ...written]));
      expect(verifyChain(read)).toMatchObject({ valid: true, events: 4_501 });
      expect(result).toEqual({ nextExpectedRevision: 4_500, position: read[4_500].position });

      expect(await store.appendToStream(stream, written, { expectedRevision: 'stream_exists' })).toEqual({ ...result, alreadyStored: true });
      expect(appendsTo(stream)).toHaveLength(3);
    });

    it('writes only the missing parts when an append in parts is sent again after it stopped between parts', async () => {
      const [whole, resumed] = [`adapter-${randomUUID()}`, `adapter-${randomUUID()}`];
      await store.appendToStream(whole, Array.from({ length: 300 }, () => sized(5_000)));
      const parts = appendsTo(whole);
      expect(parts.length).toBeGreaterThanOrEqual(2);

      const batch = Array.from({ length: 300 }, () => sized(5_000));
      await store.appendToStream(resumed, batch.slice(0, parts[0]));
      await store.appendToStream(resumed, batch);
      expect(appendsTo(resumed)).toEqual(parts);
      const read = await store.readStream(resumed);
      expect(ids(read)).toEqual(ids(batch));
      expect(verifyChain(read)).toMatchObject({ valid: true, events: 300 });
    });

    it('refuses an append at an expected revision over the limit, sending nothing: splitting it would lose its atomicity', async () => {
      const stream = `adapter-${randomUUID()}`;
      const batch = Array.from({ length: 300 }, () => sized(5_000));
      for (const expectedRevision of ['no_stream', 0] as const) {
        const error = await store.appendToStream(stream, batch, { expectedRevision }).catch((e) => e);
        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect(error).toMatchObject({ streamId: stream, reason: 'atomic-batch', maxAppendSize: MIB, code: 'append-too-large', kind: 'unprocessable' });
        expect(error.size).toBeGreaterThan(MIB);
        expect(isDomainError(error)).toBe(true);
      }
      expect(appendsTo(stream)).toEqual([]);
      expect(await store.readStream(stream)).toEqual([]);
    });

    it('refuses an event over the limit on its own, whatever the expectation, sending nothing', async () => {
      const stream = `adapter-${randomUUID()}`;
      const huge = sized(MIB);
      for (const expectedRevision of ['any', 'stream_exists', 'no_stream'] as const) {
        const error = await store.appendToStream(stream, [event(), huge], { expectedRevision }).catch((e) => e);
        expect(error).toBeInstanceOf(AppendTooLargeError);
        expect(error).toMatchObject({ reason: 'event', eventId: huge.id, maxAppendSize: MIB });
        expect(error.message).toContain(huge.id);
      }
      expect(appendsTo(stream)).toEqual([]);
    });
  });

  it('refuses ids that are not UUIDs, and the nil UUID, before sending anything', async () => {
    const stream = `adapter-${randomUUID()}`;
    for (const id of ['not-a-uuid', '', '00000000-0000-0000-0000-000000000000', `${randomUUID()}0`]) {
      const error = await store.appendToStream(stream, [event(), { ...event(), id }]).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidEventIdError);
      expect(error).toMatchObject({ streamId: stream, eventId: id });
    }
    expect(appendsTo(stream)).toEqual([]);
  });

  it('throws StreamDeletedError (a not-found problem) for a tombstoned stream, reading or appending', async () => {
    const stream = `adapter-${randomUUID()}`;
    await store.appendToStream(stream, [event()]);
    const [{ position: checkpoint }] = await store.readStream(stream);
    await client.tombstoneStream(stream);
    await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    for (const expectedRevision of ['any', 'no_stream', 0] as const) {
      const error = await store.appendToStream(stream, [event()], { expectedRevision }).catch((e) => e);
      expect(error).toBeInstanceOf(StreamDeletedError);
      expect(error).toMatchObject({ streamId: stream, code: 'stream-deleted', kind: 'not-found' });
    }
    // The tombstone is a system event ($streamDeleted): the global read hides it.
    expect(await store.readAll({ after: checkpoint })).toEqual([]);
  });

  it('readAll refuses a position inside an event and one past the end of the log, as the server does', async () => {
    const stream = `adapter-${randomUUID()}`;
    await store.appendToStream(stream, [event(), event()]);
    const [first, second] = await store.readStream(stream);
    const { commit, prepare } = first.position;
    for (const after of [
      { commit: commit + 1n, prepare: prepare + 1n },
      { commit, prepare: prepare + 1n },
      { commit: 2n ** 63n, prepare: 0n },
    ]) {
      const error = await store.readAll({ after }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidPositionError);
      expect(error).toMatchObject({ reason: 'not-an-event', code: 'invalid-position', kind: 'validation', position: after });
    }
    const past = { commit: second.position.commit + 10n ** 9n, prepare: second.position.prepare + 10n ** 9n };
    await expect(store.readAll({ after: past })).rejects.toMatchObject({ reason: 'past-the-end', position: past });
    expect(await store.readAll({ after: second.position })).toEqual([]);
  });

  it(`talks to the server only through ServerFeatures, Streams.${writeTransport === 'batch-append' ? 'BatchAppend' : 'Append'} and Streams.Read`, () => {
    const write = writeTransport === 'batch-append' ? 'BatchAppend' : 'Append';
    expect(new Set(standIn.calls.filter((path) => !path.endsWith('/Tombstone')))).toEqual(
      new Set([
        '/event_store.client.server_features.ServerFeatures/GetSupportedMethods',
        `/event_store.client.streams.Streams/${write}`,
        '/event_store.client.streams.Streams/Read',
      ]),
    );
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe.each(ESDB_WRITE_TRANSPORTS)('EventStoreDBEventStore against a server with a smaller MaxAppendSize (%s)', (writeTransport) => {
  let standIn: EsdbStandIn;
  let store: EventStoreDBEventStore;

  beforeAll(async () => {
    standIn = await startEsdbStandIn({ writeTransport, maxAppendSize: 4_000 });
    store = EventStoreDBEventStore.connect(standIn.url);
  });

  afterAll(async () => {
    await store.close();
    await standIn.stop();
  });

  it("maps the server's refusal to AppendTooLargeError with the server's limit, writing nothing", async () => {
    const stream = `adapter-${randomUUID()}`;
    const error = await store.appendToStream(stream, [sized(5_000)]).catch((e) => e);
    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect(error).toMatchObject({ reason: 'server', maxAppendSize: 4_000, size: null });
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('splits by its own limit when told the server takes less', async () => {
    const small = EventStoreDBEventStore.connect(standIn.url, { maxAppendSize: 4_000 });
    try {
      const stream = `adapter-${randomUUID()}`;
      await small.appendToStream(stream, Array.from({ length: 10 }, () => sized(1_000)));
      expect(standIn.appends.filter((a) => a.streamId === stream).length).toBeGreaterThanOrEqual(4);
      expect(verifyChain(await small.readStream(stream))).toMatchObject({ valid: true, events: 10 });
    } finally {
      await small.close();
    }
  });
});

describe('EventStoreDBEventStore without a reachable server', () => {
  it('fails ping, appends and reads at once when the connection is refused', async () => {
    const port = await freePort();
    const unreachable = EventStoreDBEventStore.connect(`esdb://127.0.0.1:${port}?tls=false`, { pingTimeoutMs: 2_000 });
    try {
      const pinged = await unreachable.ping().catch((e) => e);
      expect(pinged).toMatchObject({ code: 14 });
      await expect(unreachable.appendToStream(`adapter-${randomUUID()}`, [event()])).rejects.toMatchObject({ code: 14 });
      await expect(unreachable.readStream(`adapter-${randomUUID()}`)).rejects.toMatchObject({ code: 14 });
    } finally {
      await unreachable.close();
    }
  }, 10_000);

  it('gives up a ping at its deadline when the server accepts connections but never answers', async () => {
    const silent = await silentServer();
    const hanging = EventStoreDBEventStore.connect(`esdb://127.0.0.1:${silent.port}?tls=false`, { pingTimeoutMs: 300 });
    try {
      await expect(hanging.ping()).rejects.toThrow('EventStoreDB did not answer a ping within 300 ms');
    } finally {
      await hanging.close();
      await silent.close();
    }
  }, 10_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
