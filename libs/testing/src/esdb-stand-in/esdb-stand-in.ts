import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { MonitoringService } from '@eventstore/db-client/generated/monitoring_grpc_pb';
import { OperationsService } from '@eventstore/db-client/generated/operations_grpc_pb';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ProjectionsService } from '@eventstore/db-client/generated/projections_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { UsersService } from '@eventstore/db-client/generated/users_grpc_pb';
import { batchAppendDefinition, handleAppend, handleBatchAppend, ReceivedAppend, streamName, WriteSettings } from './stand-in-append';
import { supportedMethods } from './stand-in-features';
import { allFilter } from './stand-in-filter';
import { ExpectedState, LogPosition, StandInLog, StoredEvent } from './stand-in-log';
import {
  CallError,
  handlerException,
  internal,
  invalidPosition,
  readAllError,
  requiredArgument,
  streamDeleted,
  unimplemented,
  wrongExpectedVersion,
} from './stand-in-status';
import { structuredUuid } from './stand-in-uuid';

/**
 * How the client appends: `batch-append` over one shared bidirectional Streams.BatchAppend call, which
 * it picks when ServerFeatures lists the method (EventStoreDB 21.10 and later, 24.10 included);
 * `append` over one Streams.Append call per append, its fallback when ServerFeatures is UNIMPLEMENTED
 * (servers before 21.10).
 */
export type EsdbWriteTransport = 'batch-append' | 'append';

/** Both write transports, for suites that run once per transport. */
export const ESDB_WRITE_TRANSPORTS: readonly EsdbWriteTransport[] = ['batch-append', 'append'];

export interface EsdbStandInOptions {
  /** Default `batch-append`, as 24.10. */
  readonly writeTransport?: EsdbWriteTransport;
  /** The server's MaxAppendSize; default 1,048,576 bytes, 24.10's default. */
  readonly maxAppendSize?: number;
  /** The server's WriteTimeoutMs, the longest a BatchAppend write may stay incomplete; default 2,000 ms. */
  readonly writeTimeoutMs?: number;
  /**
   * 24.10 counts only the events' data against MaxAppendSize (see {@link WriteSettings}); true counts
   * data, metadata and twice the type's length, as KurrentDB 25 does. Default false.
   */
  readonly countsMetadataInAppendSize?: boolean;
  /** What ServerFeatures reports as the server's version; default `24.10.0`. */
  readonly serverVersion?: string;
}

export interface EsdbStandIn {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly url: string;
  readonly writeTransport: EsdbWriteTransport;
  readonly maxAppendSize: number;
  /** gRPC method paths in the order the client called them, including the ones answered UNIMPLEMENTED. */
  readonly calls: readonly string[];
  /**
   * Every append the server received, in order, over either transport (one BatchAppend call carries
   * many): its stream and how many events came with it, refused appends included.
   */
  readonly appends: readonly Readonly<ReceivedAppend>[];
  /** How many subscriptions to `$all` are open. */
  subscriptions(): number;
  /** Ends every open subscription as a server going away does (UNAVAILABLE); returns how many. */
  dropSubscriptions(): number;
  stop(): Promise<void>;
}

export type { ReceivedAppend };

const DEFAULT_MAX_APPEND_SIZE = 1_048_576;
const DEFAULT_WRITE_TIMEOUT_MS = 2_000;
/** The most grpc-dotnet takes in one message on the server (TFConsts.MaxLogRecordSize); grpc-js's default is 4 MiB. */
const MAX_RECEIVE_MESSAGE_LENGTH = 16 * 1024 * 1024;

const CLIENT_SERVICES = [
  StreamsService,
  PersistentSubscriptionsService,
  OperationsService,
  UsersService,
  GossipService,
  MonitoringService,
  ProjectionsService,
  ServerFeaturesService,
] as grpc.ServiceDefinition[];

/**
 * An in-process gRPC server speaking EventStoreDB 24.10's client protocol from the service definitions
 * that `@eventstore/db-client` ships, backed by an in-memory log, so the real client library is
 * exercised where no EventStoreDB can run. It answers ServerFeatures with 24.10's method list (or
 * UNIMPLEMENTED, as an older server), and implements Streams.Append, Streams.BatchAppend,
 * Streams.Read (streams and `$all`, and catch-up subscriptions to `$all` with or without a server-side
 * filter) and Streams.Tombstone, with the
 * server's refusals and their exact statuses. Every other method answers UNIMPLEMENTED.
 * `$all` starts with one event in the system stream `$stand-in`.
 */
export async function startEsdbStandIn(options: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
  const writeTransport = options.writeTransport ?? 'batch-append';
  const settings: WriteSettings = {
    maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    writeTimeoutMs: options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
    countsMetadataInAppendSize: options.countsMetadataInAppendSize ?? false,
  };
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
  const appends: ReceivedAppend[] = [];
  const subscriptions = new Set<SubscriptionCall>();
  const record = (path: string): void => void calls.push(path);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_LENGTH });

  for (const service of [GossipService, MonitoringService, OperationsService, PersistentSubscriptionsService, ProjectionsService, UsersService] as grpc.ServiceDefinition[]) {
    server.addService(service, unimplementedHandlers(service, calls));
  }
  const methods = supportedMethods(CLIENT_SERVICES, options.serverVersion ?? '24.10.0');
  server.addService(ServerFeaturesService, {
    ...unimplementedHandlers(ServerFeaturesService, calls),
    ...(writeTransport === 'batch-append'
      ? {
          getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
            record(ServerFeaturesService.getSupportedMethods.path);
            callback(null, methods);
          },
        }
      : {}),
  });

  const streams = { ...StreamsService, batchAppend: batchAppendDefinition(StreamsService.batchAppend) } as grpc.ServiceDefinition;
  server.addService(streams, {
    ...unimplementedHandlers(StreamsService, calls),
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => {
      record(StreamsService.append.path);
      handleAppend(log, settings, appends, call, callback);
    },
    ...(writeTransport === 'batch-append'
      ? {
          batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
            record(StreamsService.batchAppend.path);
            handleBatchAppend(log, settings, appends, call);
          },
        }
      : {}),
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      record(StreamsService.read.path);
      handleRead(log, call, subscriptions).catch((error: unknown) => call.emit('error', internal(error)));
    },
    tombstone: (call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: grpc.sendUnaryData<TombstoneResp>) => {
      record(StreamsService.tombstone.path);
      handleTombstone(log, call.request, callback);
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    writeTransport,
    maxAppendSize: settings.maxAppendSize,
    calls,
    appends,
    subscriptions: () => subscriptions.size,
    dropSubscriptions: () => dropSubscriptions(subscriptions),
    stop: () => {
      dropSubscriptions(subscriptions);
      return shutdown(server);
    },
  };
}

/** Streams.Tombstone as Streams.Delete.cs (hard delete). */
function handleTombstone(log: StandInLog, request: TombstoneReq, callback: grpc.sendUnaryData<TombstoneResp>): void {
  const options = request.getOptions();
  if (!options) return callback(handlerException());
  const streamId = streamName(options.getStreamIdentifier());
  let expected: ExpectedState;
  switch (options.getExpectedStreamRevisionCase()) {
    case TombstoneReq.Options.ExpectedStreamRevisionCase.REVISION:
      expected = { kind: 'revision', revision: BigInt(options.getRevision()) };
      break;
    case TombstoneReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      expected = { kind: 'no_stream' };
      break;
    case TombstoneReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      expected = { kind: 'stream_exists' };
      break;
    case TombstoneReq.Options.ExpectedStreamRevisionCase.ANY:
      expected = { kind: 'any' };
      break;
    default:
      return callback({
        code: grpc.status.INVALID_ARGUMENT,
        details: "'None' is not a valid EventStore.Client.Streams.TombstoneReq+Types+Options+ExpectedStreamRevisionOneofCase",
      });
  }
  const outcome = log.tombstone(streamId, expected);
  switch (outcome.kind) {
    case 'stream_deleted':
      return callback(streamDeleted(streamId));
    case 'wrong_expected_version':
      return callback(wrongExpectedVersion('Delete', streamId, expected, outcome.currentRevision));
    case 'success': {
      const position = outcome.position.toString();
      return callback(null, new TombstoneResp().setPosition(new TombstoneResp.Position().setCommitPosition(position).setPreparePosition(position)));
    }
  }
}

/**
 * Streams.Read as Streams.Read.cs: a tombstoned stream is refused as deleted; a position of `$all` is
 * first a `Position` (Position.cs: commit not below prepare, each at most long.MaxValue unless it is
 * ulong.MaxValue, else an exception in the handler) and then goes to the storage reader, which refuses
 * a position that is not a record's start (see {@link StandInLog.checkAllPosition}).
 */
async function handleRead(log: StandInLog, call: grpc.ServerWritableStream<ReadReq, ReadResp>, subscriptions: Set<SubscriptionCall>): Promise<void> {
  const fail = (error: CallError): void => void call.emit('error', error);
  const options = call.request.getOptions();
  if (!options) return fail(handlerException());
  if (options.hasSubscription()) {
    if (!options.getAll()) return fail({ code: grpc.status.UNIMPLEMENTED, details: 'The EventStoreDB stand-in emulates subscriptions to $all only.' });
    return subscribeToAll(log, call, subscriptions);
  }
  if (options.hasFilter()) {
    return fail({ code: grpc.status.UNIMPLEMENTED, details: 'The EventStoreDB stand-in emulates server-side filters on subscriptions only.' });
  }
  const uuidOption = options.getUuidOption();
  if (!uuidOption) return fail(requiredArgument('uuidOption', 'EventStore.Client.Streams.ReadReq+Types+Options+Types+UUIDOption'));
  const direction = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
  const count = BigInt(options.getCount() || '0');
  const structuredIds = !uuidOption.hasString();

  let events: StoredEvent[];
  const stream = options.getStream();
  const all = options.getAll();
  if (stream) {
    const name = streamName(stream.getStreamIdentifier());
    if (log.isDeleted(name)) return fail(streamDeleted(name));
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
    let from: LogPosition | 'start' | 'end' = all.hasEnd() ? 'end' : 'start';
    const position = all.getPosition();
    if (position) {
      const wire = { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
      const checked = serverPosition(wire);
      if (checked === 'exception') return fail(handlerException());
      if (checked !== 'end') {
        const check = log.checkAllPosition(checked, direction);
        if (check === 'invalid-position') return fail(invalidPosition());
        if (check === 'read-error') return fail(readAllError());
        from = checked;
      } else {
        from = 'end';
      }
    }
    events = log.readAll(from, direction, count);
  } else {
    return fail(handlerException());
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

type SubscriptionCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

/**
 * A catch-up subscription to `$all` as Streams.Read.cs serves one: the confirmation, then what follows
 * the start position (exclusive; `end`: nothing), `caughtUp`, then every new record as it is written;
 * with a filter, only the records it matches, and a checkpoint after every `checkpointEvery` records
 * looked at. It ends only when the client cancels or the server drops it. Not emulated: the server
 * dropping a subscriber too slow to keep up (here its messages queue without bound).
 */
function subscribeToAll(log: StandInLog, call: SubscriptionCall, subscriptions: Set<SubscriptionCall>): void {
  const fail = (error: CallError): void => void call.emit('error', error);
  const options = call.request.getOptions()!;
  const uuidOption = options.getUuidOption();
  if (!uuidOption) return fail(requiredArgument('uuidOption', 'EventStore.Client.Streams.ReadReq+Types+Options+Types+UUIDOption'));
  const structuredIds = !uuidOption.hasString();
  const filter = allFilter(options);
  if (typeof filter === 'string') return fail({ code: grpc.status.INVALID_ARGUMENT, details: filter });
  const all = options.getAll()!;
  let after: bigint | 'start' | 'end' = all.hasEnd() ? 'end' : 'start';
  const position = all.getPosition();
  if (position) {
    const checked = serverPosition({ commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) });
    if (checked === 'exception') return fail(handlerException());
    if (checked === 'end') after = 'end';
    else {
      if (log.checkAllPosition(checked, 'forwards') === 'invalid-position') return fail(invalidPosition());
      after = checked.commit;
    }
  }

  let looked = 0;
  const send = (record: StoredEvent): void => {
    looked++;
    if (!filter || filter.matches(record)) call.write(new ReadResp().setEvent(readEvent(record, structuredIds)));
    if (filter && looked % filter.checkpointEvery === 0) {
      const at = record.position.toString();
      call.write(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(at).setPreparePosition(at)));
    }
  };
  call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
  // Reading the backlog and listening happen in one synchronous step: the log cannot grow between them.
  const from = after;
  const backlog = from === 'end' ? [] : log.readAll('start', 'forwards', ULONG_MAX);
  for (const record of backlog) if (typeof from !== 'bigint' || record.position > from) send(record);
  call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  const stopListening = log.onWrite((records) => records.forEach(send));
  subscriptions.add(call);
  const end = (): void => {
    stopListening();
    subscriptions.delete(call);
  };
  call.on('cancelled', end);
  call.on('close', end);
  call.on('error', end);
}

/** What a server going away (shutting down, losing leadership) does to its subscriptions. */
function dropSubscriptions(subscriptions: Set<SubscriptionCall>): number {
  const dropped = [...subscriptions];
  for (const call of dropped) {
    subscriptions.delete(call);
    call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'Server is shutting down.' });
  }
  return dropped.length;
}

const ULONG_MAX = 2n ** 64n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

/** The `Position` constructor and `ToInt64` (Position.cs): the signed position the storage reader gets. */
function serverPosition({ commit, prepare }: LogPosition): LogPosition | 'end' | 'exception' {
  if (commit < prepare) return 'exception';
  if ((commit > LONG_MAX && commit !== ULONG_MAX) || (prepare > LONG_MAX && prepare !== ULONG_MAX)) return 'exception';
  if (commit === ULONG_MAX && prepare === ULONG_MAX) return 'end';
  return { commit: commit === ULONG_MAX ? -1n : commit, prepare: prepare === ULONG_MAX ? -1n : prepare };
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

function utf8(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'utf8'));
}

/** Handlers that record the call and answer UNIMPLEMENTED, as a server without the method does. */
function unimplementedHandlers(service: grpc.ServiceDefinition, calls: string[]): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(service)) {
    handlers[name] = (call: { emit(event: 'error', error: unknown): void }, callback?: grpc.sendUnaryData<unknown>) => {
      calls.push(method.path);
      if (method.responseStream) call.emit('error', unimplemented(method.path));
      else callback?.(unimplemented(method.path));
    };
  }
  return handlers;
}

async function shutdown(server: grpc.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    // A client that never closes its channel (or its BatchAppend call) must not keep the stand-in alive.
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
