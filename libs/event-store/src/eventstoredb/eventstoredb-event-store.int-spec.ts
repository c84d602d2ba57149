import { randomUUID } from 'node:crypto';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { EsdbStandIn, startEsdbStandIn } from '@mfh/testing';
import { eventStoreContract } from '../event-store.contract';
import { eventHash, verifyChain } from '../event-hash';
import { DuplicateEventIdError, WrongExpectedVersionError } from '../event-store.errors';
import type { GlobalPosition, NewEvent, RecordedEvent } from '../event-store.port';
import { EventStoreDBEventStore, HASH_METADATA_KEY, PREVIOUS_HASH_METADATA_KEY } from './eventstoredb-event-store';

eventStoreContract('eventstoredb (gRPC stand-in)', async () => {
  const standIn = await startEsdbStandIn();
  return { store: EventStoreDBEventStore.connect(standIn.url), dispose: () => standIn.stop() };
});

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

describe('EventStoreDBEventStore against the gRPC stand-in', () => {
  let standIn: EsdbStandIn;
  let store: EventStoreDBEventStore;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    store = EventStoreDBEventStore.connect(standIn.url);
    client = EventStoreDBClient.connectionString(standIn.url);
  });

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
    const appendsBefore = standIn.calls.filter((path) => path.endsWith('/Append')).length;
    const error = await store.appendToStream(stream, [event()], { expectedRevision: 3 }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expected: 3, actual: 0 });
    expect(standIn.calls.filter((path) => path.endsWith('/Append'))).toHaveLength(appendsBefore);
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

  it('readAll keeps reading past one server page until maxCount is reached', async () => {
    const checkpoint = await head();
    const stream = `adapter-${randomUUID()}`;
    const written = Array.from({ length: 4_500 }, () => event());
    await store.appendToStream(stream, written);
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
    const appendsBefore = standIn.calls.filter((path) => path.endsWith('/Append')).length;
    expect(await store.appendToStream(stream, [], { expectedRevision: 'no_stream' })).toEqual({
      nextExpectedRevision: -1,
      position: { commit: -1n, prepare: -1n },
    });
    await expect(store.appendToStream(stream, [], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(standIn.calls.filter((path) => path.endsWith('/Append'))).toHaveLength(appendsBefore);

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

  it('talks to the server only through ServerFeatures, Streams.Append and Streams.Read', () => {
    expect(new Set(standIn.calls)).toEqual(
      new Set([
        '/event_store.client.server_features.ServerFeatures/GetSupportedMethods',
        '/event_store.client.streams.Streams/Append',
        '/event_store.client.streams.Streams/Read',
      ]),
    );
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
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
