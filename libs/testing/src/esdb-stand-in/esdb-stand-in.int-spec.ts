import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  RequiredMetadataPropertyMissingError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  convertToCommandError,
  jsonEvent,
} from '@eventstore/db-client';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EsdbStandIn, startEsdbStandIn } from './esdb-stand-in';

describe('EventStoreDB stand-in', () => {
  let standIn: EsdbStandIn;
  let client: EventStoreDBClient;
  let raw: StreamsClient;

  beforeAll(async () => {
    standIn = await startEsdbStandIn();
    client = EventStoreDBClient.connectionString(standIn.url);
    raw = new StreamsClient(new URL(standIn.url).host, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    raw.close();
    await client.dispose();
    await standIn.stop();
  });

  const stream = (): string => `stand-in-${randomUUID()}`;
  const events = (n: number) => Array.from({ length: n }, (_, i) => jsonEvent({ type: 'Happened', data: { i } }));

  it('listens on 127.0.0.1 with an insecure esdb:// URL', () => {
    expect(standIn.url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
  });

  it('starts with a system event in $all, as a real server does', async () => {
    const [first] = await client.readAll({ maxCount: 1 }).toArray();
    expect(first.event?.streamId.startsWith('$')).toBe(true);
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

  it('returns ids in the structured form when asked to', async () => {
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
    expect(hex(structured?.getMostSignificantBits()) + hex(structured?.getLeastSignificantBits())).toBe(
      eventId.replace(/-/g, ''),
    );
  });

  it('refuses a proposed message without a content type', async () => {
    const options = new AppendReq.Options().setStreamIdentifier(identifier(stream())).setAny(new Empty());
    const message = new AppendReq.ProposedMessage().setId(new UUID().setString(randomUUID())).setData(Buffer.from('{}'));
    message.getMetadataMap().set('type', 'Happened');
    const error = await new Promise<grpc.ServiceError>((resolve, reject) => {
      const call = raw.append((err: grpc.ServiceError | null, response: AppendResp) =>
        err ? resolve(err) : reject(new Error(`unexpected ${response.getResultCase()}`)),
      );
      call.write(new AppendReq().setOptions(options));
      call.write(new AppendReq().setProposedMessage(message));
      call.end();
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('exception')).toEqual(['missing-required-metadata-property']);
    expect(convertToCommandError(error)).toBeInstanceOf(RequiredMetadataPropertyMissingError);
  });

  it('answers UNIMPLEMENTED for what it does not emulate, and records every call', async () => {
    const subscription = client.subscribeToAll();
    const error = await new Promise<Error & { code?: number }>((resolve) => subscription.once('error', resolve));
    await subscription.unsubscribe();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(client.listProjections()).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    expect(standIn.calls).toEqual(
      expect.arrayContaining([
        '/event_store.client.server_features.ServerFeatures/GetSupportedMethods',
        '/event_store.client.projections.Projections/Statistics',
      ]),
    );
    expect(standIn.calls).not.toContain('/event_store.client.streams.Streams/BatchAppend');
  });
});

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
