import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { BinaryWriter } from 'google-protobuf';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  RequiredMetadataPropertyMissingError,
  StreamDeletedError,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
  binaryEvent,
  convertToCommandError,
  jsonEvent,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EsdbStandIn, EsdbStandInOptions, ESDB_WRITE_TRANSPORTS, startEsdbStandIn } from './esdb-stand-in';

const MIB = 1_048_576;
const STREAMS = '/event_store.client.streams.Streams';

const stream = (): string => `stand-in-${randomUUID()}`;
const events = (n: number) => Array.from({ length: n }, (_, i) => jsonEvent({ type: 'Happened', data: { i } }));
const bytes = (n: number) => binaryEvent({ type: 'Blob', data: new Uint8Array(n) });

interface Running {
  standIn: EsdbStandIn;
  client: EventStoreDBClient;
  raw: StreamsClient;
}

async function start(options: EsdbStandInOptions = {}): Promise<Running> {
  const standIn = await startEsdbStandIn(options);
  return {
    standIn,
    client: EventStoreDBClient.connectionString(standIn.url),
    raw: new StreamsClient(new URL(standIn.url).host, grpc.credentials.createInsecure()),
  };
}

async function stop({ standIn, client, raw }: Running): Promise<void> {
  raw.close();
  await client.dispose();
  await standIn.stop();
}

describe('EventStoreDB stand-in', () => {
  let running: Running;
  let client: EventStoreDBClient;
  let raw: StreamsClient;

  beforeAll(async () => {
    running = await start();
    ({ client, raw } = running);
  });

  afterAll(() => stop(running));

  it('listens on 127.0.0.1 with an insecure esdb:// URL and appends over BatchAppend by default, as 24.10', () => {
    expect(running.standIn.url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
    expect(running.standIn.writeTransport).toBe('batch-append');
    expect(running.standIn.maxAppendSize).toBe(MIB);
  });

  it('starts with a system event in $all, as a real server does', async () => {
    const [first] = await client.readAll({ maxCount: 1 }).toArray();
    expect(first.event?.streamId.startsWith('$')).toBe(true);
  });

  it('reports a missing stream as stream-not-found', async () => {
    await expect(client.readStream(stream()).toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all forwards from a position inclusively and backwards from it exclusively', async () => {
    const id = stream();
    await client.appendToStream(id, events(3));
    const mine = (await client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 3 }).toArray()).reverse();
    const middle = mine[1].event!.position;
    const forwards = await client.readAll({ fromPosition: middle, maxCount: 2 }).toArray();
    expect(forwards.map((e) => e.event?.revision)).toEqual([1n, 2n]);
    const backwards = await client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }).toArray();
    expect(backwards.map((e) => e.event?.revision)).toEqual([0n]);
    expect(mine.map((e) => e.event?.streamId)).toEqual([id, id, id]);
  });

  it('gives stream reads the same positions as $all and the append result', async () => {
    const id = stream();
    const result = await client.appendToStream(id, events(2), { expectedRevision: ANY });
    const [, last] = await client.readStream(id).toArray();
    expect(last.event?.position).toEqual(result.position);
    const [fromAll] = await client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }).toArray();
    expect(fromAll.event?.position).toEqual(result.position);
  });

  it('returns ids in the structured form unless asked for strings', async () => {
    const id = stream();
    const eventId = randomUUID();
    await client.appendToStream(id, jsonEvent({ id: eventId, type: 'Happened', data: {} }));
    const options = new ReadReq.Options()
      .setStream(new ReadReq.Options.StreamOptions().setStreamIdentifier(identifier(id)).setStart(new Empty()))
      .setCount('10')
      .setReadDirection(ReadReq.Options.ReadDirection.FORWARDS)
      .setResolveLinks(false)
      .setNoFilter(new Empty())
      .setUuidOption(new ReadReq.Options.UUIDOption().setStructured(new Empty()));
    const [response] = await collect(raw.read(new ReadReq().setOptions(options)));
    const structured = response.getEvent()?.getEvent()?.getId()?.getStructured();
    const hex = (bits: string | undefined) => BigInt.asUintN(64, BigInt(bits ?? '0')).toString(16).padStart(16, '0');
    expect(hex(structured?.getMostSignificantBits()) + hex(structured?.getLeastSignificantBits())).toBe(eventId.replace(/-/g, ''));
  });

  it('answers ServerFeatures as 24.10 does: every client method, lower-cased, BatchAppend with deadline_duration', async () => {
    const features = new ServerFeaturesClient(new URL(running.standIn.url).host, grpc.credentials.createInsecure());
    try {
      const answer = await new Promise<SupportedMethods>((resolve, reject) =>
        features.getSupportedMethods(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
      );
      expect(answer.getEventStoreServerVersion()).toBe('24.10.0');
      const methods = new Map(answer.getMethodsList().map((m) => [`${m.getServiceName()}/${m.getMethodName()}`, m.getFeaturesList()]));
      expect(Object.fromEntries([...methods].filter(([path]) => path.startsWith('event_store.client.streams.')))).toEqual({
        'event_store.client.streams.streams/read': ['position', 'events'],
        'event_store.client.streams.streams/append': [],
        'event_store.client.streams.streams/delete': [],
        'event_store.client.streams.streams/tombstone': [],
        'event_store.client.streams.streams/batchappend': ['deadline_duration'],
      });
      expect(methods.get('event_store.client.persistent_subscriptions.persistentsubscriptions/read')).toEqual(['stream', 'all']);
      expect(methods.get('event_store.client.projections.projections/create')).toEqual(['track_emitted_streams']);
      expect(methods.get('event_store.client.server_features.serverfeatures/getsupportedmethods')).toEqual([]);
      expect(methods.has('event_store.client.redaction.redaction/switchchunks')).toBe(true);
      expect([...methods.keys()].every((path) => path === path.toLowerCase())).toBe(true);
    } finally {
      features.close();
    }
  });

  it('answers UNIMPLEMENTED for what it does not emulate, and records every call', async () => {
    const subscription = client.subscribeToStream(stream());
    const error = await new Promise<Error & { code?: number }>((resolve) => subscription.once('error', resolve));
    await subscription.unsubscribe();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(client.listProjections()).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await expect(client.deleteStream(stream())).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(running.standIn.calls).toEqual(
      expect.arrayContaining([
        '/event_store.client.server_features.ServerFeatures/GetSupportedMethods',
        `${STREAMS}/BatchAppend`,
        '/event_store.client.projections.Projections/Statistics',
        `${STREAMS}/Delete`,
      ]),
    );
    expect(running.standIn.calls).not.toContain(`${STREAMS}/Append`);
  });

  describe('reading $all from a position, as the storage reader does', () => {
    async function mine(): Promise<{ first: bigint; second: bigint; end: bigint }> {
      const id = stream();
      await client.appendToStream(id, events(2));
      const read = await client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }).toArray();
      const [second, first] = read.map((e) => e.event!.position.commit);
      return { first, second, end: second + 1_000_000n };
    }
    const from = (commit: bigint, prepare: bigint, direction: typeof FORWARDS | typeof BACKWARDS = FORWARDS) =>
      client.readAll({ fromPosition: { commit, prepare }, direction, maxCount: 5 }).toArray();

    it('refuses a position inside a record with INVALID_ARGUMENT, forwards and backwards', async () => {
      const { first } = await mine();
      for (const direction of [FORWARDS, BACKWARDS] as const) {
        const error = await from(first + 1n, first + 1n, direction).catch((e) => e);
        expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: expect.stringContaining('Trying to read from an invalid position.') });
      }
    });

    it('reads nothing forwards from past the last record: the end of the log is no error', async () => {
      const { end } = await mine();
      await expect(from(end, end)).resolves.toEqual([]);
    });

    it('fails a backwards read from past the writer as the storage reader does', async () => {
      const { end } = await mine();
      await expect(from(end, end, BACKWARDS)).rejects.toMatchObject({ code: grpc.status.UNKNOWN, message: expect.stringContaining('Unexpected ReadAllResult: Error') });
    });

    it('throws in the handler for a commit before its prepare, or past long.MaxValue', async () => {
      const { first } = await mine();
      for (const [commit, prepare] of [
        [first, first + 1n],
        [2n ** 63n, 0n],
      ]) {
        await expect(from(commit, prepare)).rejects.toMatchObject({ code: grpc.status.UNKNOWN, message: expect.stringContaining('Exception was thrown by handler.') });
      }
    });

    it('reads from a record start, prepare at or below the commit', async () => {
      const { first, second } = await mine();
      expect((await from(first, 0n)).map((e) => e.event?.position.commit)).toEqual([first, second]);
    });
  });
});

describe('EventStoreDB stand-in as a server before 21.10 (writeTransport: append)', () => {
  let running: Running;

  beforeAll(async () => {
    running = await start({ writeTransport: 'append' });
  });

  afterAll(() => stop(running));

  it('answers ServerFeatures and BatchAppend UNIMPLEMENTED, so the client appends over Streams.Append', async () => {
    await running.client.appendToStream(stream(), events(2));
    expect(running.standIn.writeTransport).toBe('append');
    expect(running.standIn.calls).toEqual(
      expect.arrayContaining(['/event_store.client.server_features.ServerFeatures/GetSupportedMethods', `${STREAMS}/Append`]),
    );
    expect(running.standIn.calls).not.toContain(`${STREAMS}/BatchAppend`);
  });

  it('refuses a proposed message without a content type', async () => {
    const options = new AppendReq.Options().setStreamIdentifier(identifier(stream())).setAny(new Empty());
    const message = new AppendReq.ProposedMessage().setId(new UUID().setString(randomUUID())).setData(Buffer.from('{}'));
    message.getMetadataMap().set('type', 'Happened');
    const error = await unaryAppend(running.raw, [new AppendReq().setOptions(options), new AppendReq().setProposedMessage(message)]);
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe("Required Metadata Property 'content-type' is missing");
    expect(error.metadata.get('exception')).toEqual(['missing-required-metadata-property']);
    expect(error.metadata.get('required-metadata-properties')).toEqual(['type,content-type']);
    expect(convertToCommandError(error)).toBeInstanceOf(RequiredMetadataPropertyMissingError);
  });

  it('fails in the handler when the first message is not the options', async () => {
    const message = new AppendReq.ProposedMessage().setId(new UUID().setString(randomUUID()));
    const error = await unaryAppend(running.raw, [new AppendReq().setProposedMessage(message)]);
    expect({ code: error.code, details: error.details }).toEqual({ code: grpc.status.UNKNOWN, details: 'Exception was thrown by handler.' });
  });

  it('refuses invalid and empty event ids as an exception in the handler, writing nothing', async () => {
    const id = stream();
    for (const eventId of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const error = await running.client.appendToStream(id, jsonEvent({ id: eventId, type: 'Happened', data: {} })).catch((e) => e);
      expect(error).toBeInstanceOf(UnknownError);
      expect(error.message).toContain('Exception was thrown by handler.');
    }
    await expect(running.client.readStream(id).toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('takes the ids .NET parses: braces, no hyphens, upper case', async () => {
    const id = stream();
    const eventId = randomUUID();
    await running.client.appendToStream(id, jsonEvent({ id: `{${eventId.toUpperCase()}}`, type: 'Happened', data: {} }));
    const [read] = await running.client.readStream(id).toArray();
    expect(read.event?.id).toBe(eventId);
  });
});

describe.each(ESDB_WRITE_TRANSPORTS)('EventStoreDB stand-in, appending over %s', (writeTransport) => {
  let running: Running;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    running = await start({ writeTransport });
    client = running.client;
  });

  afterAll(() => stop(running));

  it('uses the transport it was started for', async () => {
    await client.appendToStream(stream(), events(1));
    const path = writeTransport === 'batch-append' ? `${STREAMS}/BatchAppend` : `${STREAMS}/Append`;
    expect(running.standIn.calls).toContain(path);
  });

  it('answers a wrong expected version with the current revision', async () => {
    const id = stream();
    await client.appendToStream(id, events(2), { expectedRevision: NO_STREAM });
    const error = await client.appendToStream(id, events(1), { expectedRevision: 5n }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamName: id, expectedVersion: 5n, actualVersion: 1n });
    const missing = await client.appendToStream(stream(), events(1), { expectedRevision: 0n }).catch((e) => e);
    expect(missing).toMatchObject({ actualVersion: 'no_stream' });
  });

  it('takes exactly MaxAppendSize (1,048,576 bytes) in one append and refuses one byte more, writing nothing', async () => {
    const id = stream();
    await client.appendToStream(id, [bytes(MIB / 2), bytes(MIB / 2)]);
    const over = stream();
    const error = await client.appendToStream(over, [bytes(MIB / 2), bytes(MIB / 2 + 1)]).catch((e) => e);
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect(error.maxAppendSize).toBe(MIB);
    await expect(client.readStream(over).toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
    expect(await client.readStream(id).toArray()).toHaveLength(2);
  });

  it('counts the data only, as 24.10 does: metadata and type do not count against MaxAppendSize', async () => {
    const id = stream();
    const heavy = binaryEvent({ type: 'T'.repeat(1000), data: new Uint8Array(MIB - 10), metadata: new Uint8Array(200_000) });
    await expect(client.appendToStream(id, heavy)).resolves.toMatchObject({ success: true });
  });

  it('tombstones a stream: appends and reads are refused as deleted, and so is a second tombstone', async () => {
    const id = stream();
    await client.appendToStream(id, events(2));
    const wrong = await client.tombstoneStream(id, { expectedRevision: 0n }).catch((e) => e);
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong).toMatchObject({ expectedVersion: 0n, actualVersion: 1n });
    const { position } = await client.tombstoneStream(id, { expectedRevision: 1n });

    for (const expectedRevision of [ANY, NO_STREAM, 1n] as const) {
      const refused = await client.appendToStream(id, events(1), { expectedRevision }).catch((e) => e);
      expect(refused).toBeInstanceOf(StreamDeletedError);
      expect(refused.streamName).toBe(id);
    }
    await expect(client.readStream(id).toArray()).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(id)).rejects.toBeInstanceOf(StreamDeletedError);
    const [tombstone] = await client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }).toArray();
    expect(tombstone.event).toMatchObject({ streamId: id, type: '$streamDeleted', revision: 2n ** 63n - 1n, position });
  });
});

describe('EventStoreDB stand-in with a smaller MaxAppendSize counted as KurrentDB 25 counts it', () => {
  let running: Running;

  beforeAll(async () => {
    running = await start({ maxAppendSize: 1_000, countsMetadataInAppendSize: true });
  });

  afterAll(() => stop(running));

  it('counts data, metadata and twice the type', async () => {
    // 900 + 80 + 2 × 10 = 1000: at the limit.
    const at = binaryEvent({ type: 'T'.repeat(10), data: new Uint8Array(900), metadata: new Uint8Array(80) });
    await running.client.appendToStream(stream(), at);
    const over = binaryEvent({ type: 'T'.repeat(11), data: new Uint8Array(900), metadata: new Uint8Array(80) });
    await expect(running.client.appendToStream(stream(), over)).rejects.toMatchObject({ maxAppendSize: 1_000 });
  });
});

describe('EventStoreDB stand-in: the BatchAppend protocol', () => {
  let running: Running;
  let call: BatchCall;

  beforeAll(async () => {
    running = await start({ writeTimeoutMs: 300 });
  });

  beforeEach(() => {
    call = new BatchCall(running.raw.batchAppend());
  });

  afterEach(() => call.close());

  afterAll(() => stop(running));

  it('answers each write under its correlation id, however the requests of two writes interleave', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const [streamA, streamB] = [stream(), stream()];
    call.send(request(a, { stream: streamA }, [message()], false));
    call.send(request(b, { stream: streamB }, [message()], false));
    call.send(request(a, null, [message()], true));
    call.send(request(b, null, [message(), message()], true));
    const answers = await call.answers(2);
    const byCorrelation = new Map(answers.map((answer) => [answer.getCorrelationId()?.getString(), answer]));
    expect(byCorrelation.get(a)?.getSuccess()?.getCurrentRevision()).toBe('1');
    expect(byCorrelation.get(b)?.getSuccess()?.getCurrentRevision()).toBe('2');
    expect(Buffer.from(byCorrelation.get(a)!.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe(streamA);
  });

  it('answers the expected revision options: a wrong one with WrongExpectedVersion (ALREADY_EXISTS)', async () => {
    const id = stream();
    call.send(request(randomUUID(), { stream: id, expected: 'no_stream' }, [message()], true));
    call.send(request(randomUUID(), { stream: id, expected: 'no_stream' }, [message()], true));
    call.send(request(randomUUID(), { stream: id, expected: 0n }, [message()], true));
    call.send(request(randomUUID(), { stream: id, expected: 'stream_exists' }, [message()], true));
    const [created, refused, next, exists] = await call.answers(4);
    expect(created.getSuccess()?.getCurrentRevision()).toBe('0');
    expect(refused.getError()?.toObject()).toMatchObject({ code: grpc.status.ALREADY_EXISTS, message: 'WrongExpectedVersion' });
    expect(refused.getError()?.getDetails()?.getTypeName()).toBe('event_store.client.WrongExpectedVersion');
    expect(next.getSuccess()?.getCurrentRevision()).toBe('1');
    expect(exists.getSuccess()?.getCurrentRevision()).toBe('2');
  });

  it('counts the size across the requests of one write and refuses it once over MaxAppendSize, ignoring the rest', async () => {
    const id = stream();
    const correlation = randomUUID();
    call.send(request(correlation, { stream: id }, [message(MIB / 2)], false));
    call.send(request(correlation, null, [message(MIB / 2 + 1)], false));
    call.send(request(correlation, null, [message()], true));
    const [refused] = await call.answers(1);
    expect(refused.getError()?.toObject()).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: 'MaximumAppendSizeExceeded' });
    expect(refused.getError()?.getDetails()?.getTypeName()).toBe('event_store.client.MaximumAppendSizeExceeded');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(call.received).toHaveLength(1);
    await expect(running.client.readStream(id).toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('answers Timeout at once for a deadline already past, and at the deadline for a write never finished', async () => {
    const past = randomUUID();
    call.send(request(past, { stream: stream(), deadline: new Date(Date.now() - 1_000) }, [message()], true));
    const [late] = await call.answers(1);
    expect(late.getError()?.toObject()).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED, message: 'Timeout' });
    expect(late.getCorrelationId()?.getString()).toBe(past);

    const unfinished = randomUUID();
    const startedAt = Date.now();
    call.send(request(unfinished, { stream: stream(), deadline: new Date(Date.now() + 60_000) }, [message()], false));
    const [, timedOut] = await call.answers(2);
    // The smaller of the client's deadline and WriteTimeoutMs (300 ms here), answered with the correlation id in the structured form.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(timedOut.getError()?.getMessage()).toBe('Timeout');
    expect(timedOut.getCorrelationId()?.hasStructured()).toBe(true);
  });

  it('takes a Duration deadline (options field 7), as clients do once they see deadline_duration', async () => {
    const generic = new grpc.Client(new URL(running.standIn.url).host, grpc.credentials.createInsecure());
    const duplex = generic.makeBidiStreamRequest(
      `${STREAMS}/BatchAppend`,
      (bytes: Uint8Array) => Buffer.from(bytes),
      (bytes: Buffer) => BatchAppendResp.deserializeBinary(bytes),
    );
    const raw = new BatchCall(duplex as unknown as grpc.ClientDuplexStream<BatchAppendReq, BatchAppendResp>);
    try {
      const correlation = randomUUID();
      duplex.write(withDurationDeadline(request(correlation, { stream: stream() }, [message()], true), 0));
      const [answer] = await raw.answers(1);
      expect(answer.getError()?.getMessage()).toBe('Timeout');
    } finally {
      raw.close();
      generic.close();
    }
  });

  it('answers BadRequest for an event it cannot read, and keeps the write open until its deadline answers Timeout too', async () => {
    const correlation = randomUUID();
    call.send(request(correlation, { stream: stream() }, [message(1, 'not-a-uuid')], true));
    const [bad, timeout] = await call.answers(2);
    expect(bad.getError()?.toObject()).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: 'BadRequest' });
    expect(bad.getError()?.getDetails()?.getTypeName()).toBe('event_store.client.BadRequest');
    expect(timeout.getError()?.getMessage()).toBe('Timeout');
  });

  it('answers BadRequest for an empty event id and for a missing type', async () => {
    call.send(request(randomUUID(), { stream: stream() }, [message(1, '00000000-0000-0000-0000-000000000000')], true));
    const withoutType = message();
    withoutType.getMetadataMap().del('type');
    call.send(request(randomUUID(), { stream: stream() }, [withoutType], true));
    const [empty, untyped] = await call.answers(2);
    const messageOf = (answer: BatchAppendResp) => Buffer.from(answer.getError()!.getDetails()!.getValue_asU8()).toString();
    expect(messageOf(empty)).toContain('Empty eventId provided.');
    expect(messageOf(untyped)).toContain("The given key 'type' was not present in the dictionary.");
  });

  it('ends the whole call when a request without options carries an event it cannot read', async () => {
    const correlation = randomUUID();
    call.send(request(correlation, { stream: stream() }, [message()], false));
    call.send(request(correlation, null, [message(1, 'nope')], true));
    await expect(call.ended).resolves.toMatchObject({ code: grpc.status.UNKNOWN, details: 'Exception was thrown by handler.' });
  });
});

type Expected = 'any' | 'no_stream' | 'stream_exists' | bigint;

function request(
  correlation: string,
  options: { stream: string; expected?: Expected; deadline?: Date } | null,
  messages: BatchAppendReq.ProposedMessage[],
  isFinal: boolean,
): BatchAppendReq {
  const req = new BatchAppendReq().setCorrelationId(new UUID().setString(correlation)).setProposedMessagesList(messages).setIsFinal(isFinal);
  if (!options) return req;
  const opts = new BatchAppendReq.Options().setStreamIdentifier(identifier(options.stream));
  const expected = options.expected ?? 'any';
  if (expected === 'any') opts.setAny(new Empty());
  else if (expected === 'no_stream') opts.setNoStream(new Empty());
  else if (expected === 'stream_exists') opts.setStreamExists(new Empty());
  else opts.setStreamPosition(expected.toString());
  if (options.deadline) opts.setDeadline(Timestamp.fromDate(options.deadline));
  return req.setOptions(opts);
}

function message(size = 1, id: string = randomUUID()): BatchAppendReq.ProposedMessage {
  const proposed = new BatchAppendReq.ProposedMessage().setId(new UUID().setString(id)).setData(new Uint8Array(size));
  proposed.getMetadataMap().set('type', 'Blob').set('content-type', 'application/octet-stream');
  return proposed;
}

/** The request's bytes with a google.protobuf.Duration deadline of `ms` added to its options (field 7). */
function withDurationDeadline(req: BatchAppendReq, ms: number): Uint8Array {
  const duration = new BinaryWriter();
  duration.writeInt64(1, Math.floor(ms / 1000));
  duration.writeInt32(2, (ms % 1000) * 1e6);
  const options = new BinaryWriter();
  options.writeBytes(1, req.getOptions()!.getStreamIdentifier()!.serializeBinary());
  options.writeBytes(4, new Empty().serializeBinary());
  options.writeBytes(7, duration.getResultBuffer());
  const writer = new BinaryWriter();
  writer.writeBytes(1, req.getCorrelationId()!.serializeBinary());
  writer.writeBytes(2, options.getResultBuffer());
  for (const proposed of req.getProposedMessagesList()) writer.writeBytes(3, proposed.serializeBinary());
  writer.writeBool(4, req.getIsFinal());
  return writer.getResultBuffer();
}

class BatchCall {
  readonly received: BatchAppendResp[] = [];
  readonly ended: Promise<grpc.ServiceError | null>;
  private waiters: (() => void)[] = [];

  constructor(private readonly duplex: grpc.ClientDuplexStream<BatchAppendReq, BatchAppendResp>) {
    duplex.on('data', (response: BatchAppendResp) => {
      this.received.push(response);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.ended = new Promise((resolve) => {
      duplex.on('error', (error: grpc.ServiceError) => resolve(error));
      duplex.on('end', () => resolve(null));
    });
  }

  send(req: BatchAppendReq): void {
    this.duplex.write(req);
  }

  async answers(n: number): Promise<BatchAppendResp[]> {
    const deadline = Date.now() + 5_000;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`got ${this.received.length} answers, expected ${n}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.received.slice(0, n);
  }

  close(): void {
    this.duplex.on('error', () => undefined);
    this.duplex.cancel();
  }
}

function unaryAppend(raw: StreamsClient, requests: AppendReq[]): Promise<grpc.ServiceError> {
  return new Promise<grpc.ServiceError>((resolve, reject) => {
    const call = raw.append((err: grpc.ServiceError | null, response: AppendResp) =>
      err ? resolve(err) : reject(new Error(`unexpected ${response.getResultCase()}`)),
    );
    for (const req of requests) call.write(req);
    call.end();
  });
}

function identifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

function collect(read: grpc.ClientReadableStream<ReadResp>): Promise<ReadResp[]> {
  return new Promise((resolve, reject) => {
    const responses: ReadResp[] = [];
    read.on('data', (response: ReadResp) => responses.push(response));
    read.on('error', reject);
    read.on('end', () => resolve(responses));
  });
}
