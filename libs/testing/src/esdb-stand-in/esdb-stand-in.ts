import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { MonitoringService } from '@eventstore/db-client/generated/monitoring_grpc_pb';
import { OperationsService } from '@eventstore/db-client/generated/operations_grpc_pb';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ProjectionsService } from '@eventstore/db-client/generated/projections_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { UsersService } from '@eventstore/db-client/generated/users_grpc_pb';
import { ExpectedState, LogPosition, ProposedEvent, StandInLog, StoredEvent } from './stand-in-log';

export interface EsdbStandIn {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly url: string;
  /** gRPC method paths in the order the client called them, including the ones answered UNIMPLEMENTED. */
  readonly calls: readonly string[];
  stop(): Promise<void>;
}

/**
 * An in-process gRPC server speaking EventStoreDB's client protocol from the service definitions that
 * `@eventstore/db-client` ships, backed by an in-memory log, so the real client library can be
 * exercised where no EventStoreDB can run. It implements Streams.Append and Streams.Read (streams and
 * `$all`, without subscriptions or filters); every other method of the client's services, ServerFeatures
 * included, answers UNIMPLEMENTED, which makes the client fall back from BatchAppend to Append.
 * `$all` starts with one event in the system stream `$stand-in`.
 */
export async function startEsdbStandIn(): Promise<EsdbStandIn> {
  const log = new StandInLog();
  // A real server's $all never starts empty: it holds system events before the first user event.
  log.append('$stand-in', { kind: 'any' }, [
    {
      id: randomUUID(),
      type: '$StandInStarted',
      isJson: true,
      data: Buffer.from(JSON.stringify({ startedAt: new Date().toISOString() })),
      customMetadata: new Uint8Array(),
    },
  ]);
  const calls: string[] = [];
  const server = new grpc.Server();

  for (const service of [
    ServerFeaturesService,
    GossipService,
    MonitoringService,
    OperationsService,
    PersistentSubscriptionsService,
    ProjectionsService,
    UsersService,
  ] as grpc.ServiceDefinition[]) {
    server.addService(service, unimplemented(service, calls));
  }
  server.addService(StreamsService, {
    ...unimplemented(StreamsService, calls),
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => {
      calls.push(StreamsService.append.path);
      handleAppend(log, call, callback);
    },
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      calls.push(StreamsService.read.path);
      handleRead(log, call).catch((error: unknown) => call.emit('error', internal(error)));
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    calls,
    stop: () => shutdown(server),
  };
}

function handleAppend(
  log: StandInLog,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  let options: AppendReq.Options | undefined;
  const proposed: ProposedEvent[] = [];
  let failure: Partial<grpc.ServiceError> | null = null;

  call.on('data', (request: AppendReq) => {
    if (failure) return;
    if (!options) {
      options = request.getOptions();
      if (!options) failure = invalidArgument('The first append message must carry the options.');
      return;
    }
    const message = request.getProposedMessage();
    if (!message) {
      failure = invalidArgument('Every append message after the options must be a proposed message.');
      return;
    }
    const metadata = message.getMetadataMap();
    const type = metadata.get('type');
    const contentType = metadata.get('content-type');
    if (type === undefined || contentType === undefined) {
      failure = missingMetadata(['type', 'content-type']);
      return;
    }
    proposed.push({
      id: uuidText(message.getId()),
      type,
      isJson: contentType === 'application/json',
      data: message.getData_asU8(),
      customMetadata: message.getCustomMetadata_asU8(),
    });
  });

  call.on('end', () => {
    if (failure) return callback(failure);
    if (!options) return callback(invalidArgument('No append options were sent.'));
    try {
      callback(null, appendResponse(log, options, proposed));
    } catch (error) {
      callback(internal(error));
    }
  });

  // A cancelled call has nothing left to answer.
  call.on('error', () => undefined);
}

function appendResponse(log: StandInLog, options: AppendReq.Options, proposed: readonly ProposedEvent[]): AppendResp {
  const expected = expectedState(options);
  const outcome = log.append(streamName(options.getStreamIdentifier()), expected, proposed);
  const response = new AppendResp();
  if (outcome.kind === 'success') {
    const success = new AppendResp.Success();
    if (outcome.currentRevision === null) success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    success.setPosition(
      new AppendResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()),
    );
    response.setSuccess(success);
  } else {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.currentRevision === null) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(outcome.currentRevision.toString());
    switch (expected.kind) {
      case 'any':
        wrong.setExpectedAny(new Empty());
        break;
      case 'no_stream':
        wrong.setExpectedNoStream(new Empty());
        break;
      case 'stream_exists':
        wrong.setExpectedStreamExists(new Empty());
        break;
      case 'revision':
        wrong.setExpectedRevision(expected.revision.toString());
        break;
    }
    response.setWrongExpectedVersion(wrong);
  }
  return response;
}

async function handleRead(log: StandInLog, call: grpc.ServerWritableStream<ReadReq, ReadResp>): Promise<void> {
  const options = call.request.getOptions();
  if (!options) return void call.emit('error', invalidArgument('Read options are required.'));
  if (options.hasSubscription() || options.hasFilter()) {
    return void call.emit('error', {
      code: grpc.status.UNIMPLEMENTED,
      details: 'The EventStoreDB stand-in does not emulate subscriptions or server-side filters.',
    });
  }
  const direction = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
  const count = BigInt(options.getCount() || '0');
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;

  let events: StoredEvent[];
  const stream = options.getStream();
  const all = options.getAll();
  if (stream) {
    const name = streamName(stream.getStreamIdentifier());
    const from = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
    const found = log.readStream(name, from, direction, count);
    if (!found) {
      const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(new StreamIdentifier().setStreamName(utf8(name)));
      call.write(new ReadResp().setStreamNotFound(notFound));
      call.end();
      return;
    }
    events = found;
  } else if (all) {
    const position = all.getPosition();
    const from: LogPosition | 'start' | 'end' = position
      ? { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) }
      : all.hasEnd()
        ? 'end'
        : 'start';
    events = log.readAll(from, direction, count);
  } else {
    return void call.emit('error', invalidArgument('Read either a stream or $all.'));
  }

  let cancelled = false;
  call.on('cancelled', () => (cancelled = true));
  for (const event of events) {
    if (cancelled) return;
    if (!call.write(new ReadResp().setEvent(readEvent(event, structuredIds)))) {
      await new Promise<void>((resolve) => {
        const resume = (): void => {
          call.off('drain', resume).off('cancelled', resume);
          resolve();
        };
        call.once('drain', resume).once('cancelled', resume);
      });
    }
  }
  call.end();
}

function readEvent(event: StoredEvent, structuredIds: boolean): ReadResp.ReadEvent {
  const position = event.position.toString();
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(structuredIds ? structuredUuid(event.id) : new UUID().setString(event.id))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(utf8(event.streamId)))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.created.toString())
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(position);
}

function expectedState(options: AppendReq.Options): ExpectedState {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function uuidText(uuid: UUID | undefined): string {
  const structured = uuid?.getStructured();
  if (!structured) return (uuid?.getString() ?? '').toLowerCase();
  const hex = (bits: string): string => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
  const text = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

function structuredUuid(id: string): UUID {
  const hex = id.replace(/-/g, '');
  const bits = (part: string): string => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return new UUID().setStructured(
    new UUID.Structured().setMostSignificantBits(bits(hex.slice(0, 16))).setLeastSignificantBits(bits(hex.slice(16))),
  );
}

function utf8(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'utf8'));
}

function internal(error: unknown): Partial<grpc.ServiceError> {
  return { code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}

function invalidArgument(details: string): Partial<grpc.ServiceError> {
  return { code: grpc.status.INVALID_ARGUMENT, details };
}

function missingMetadata(properties: string[]): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'missing-required-metadata-property');
  metadata.set('required-metadata-properties', properties.join(','));
  return { code: grpc.status.INVALID_ARGUMENT, details: `Missing required metadata: ${properties.join(', ')}`, metadata };
}

/** Handlers that record the call and answer UNIMPLEMENTED, as a server without the method does. */
function unimplemented(service: grpc.ServiceDefinition, calls: string[]): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    const status = { code: grpc.status.UNIMPLEMENTED, details: `${method.path} is not emulated by the stand-in` };
    handlers[name] = (call: { emit(event: 'error', error: unknown): void }, callback?: grpc.sendUnaryData<unknown>) => {
      calls.push(method.path);
      if (method.responseStream) call.emit('error', status);
      else callback?.(status);
    };
  }
  return handlers;
}

async function shutdown(server: grpc.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    // A client that never closes its channel must not keep the stand-in alive.
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
