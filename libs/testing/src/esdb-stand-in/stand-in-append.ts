import * as grpc from '@grpc/grpc-js';
import { BinaryReader } from 'google-protobuf';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { AllStreamPosition, Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import type { ExpectedState, ProposedEvent, StandInLog } from './stand-in-log';
import {
  CallError,
  DotnetException,
  badRequestStatus,
  handlerException,
  internal,
  maxAppendSizeExceeded,
  maximumAppendSizeExceededStatus,
  requiredMetadataPropertyMissing,
  streamDeleted,
  streamDeletedStatus,
  timeoutStatus,
  wrongExpectedVersionStatus,
} from './stand-in-status';
import { assertNotEmptyEventId, structuredUuid, uuidFromDto } from './stand-in-uuid';

/** An append as the server received it: its stream and how many events came, refused ones included. */
export interface ReceivedAppend {
  readonly streamId: string;
  events: number;
}

export interface WriteSettings {
  /** The server's MaxAppendSize: the most one append may carry. */
  readonly maxAppendSize: number;
  /** The server's WriteTimeoutMs: the longest a BatchAppend write may stay incomplete. */
  readonly writeTimeoutMs: number;
  /**
   * 24.10's `Event.SizeOnDisk` is `data?.Length ?? 0 + metadata?.Length ?? 0 + eventType.Length * 2`,
   * which C#'s precedence makes the data length alone (kurrent-io/KurrentDB#4519, fixed by #4882 in
   * KurrentDB 25): false counts as 24.10 does, true as the fixed servers (data + metadata + 2 × type).
   */
  readonly countsMetadataInAppendSize: boolean;
}

/**
 * Streams.Append as Streams.Append.cs: the first message carries the options, each next one an event,
 * checked in the server's order (type, content type, the running size against MaxAppendSize, then the
 * id); the first refusal ends the call at once. What .NET throws (options missing, no expected
 * revision, an id that is not a Guid or is empty, an empty type) reaches the client as grpc-dotnet's
 * UNKNOWN "Exception was thrown by handler.".
 */
export function handleAppend(
  log: StandInLog,
  settings: WriteSettings,
  journal: ReceivedAppend[],
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  let options: AppendReq.Options | undefined;
  let received: ReceivedAppend | undefined;
  let expected: ExpectedState | undefined;
  const events: ProposedEvent[] = [];
  let size = 0;
  let answered = false;
  const answer = (error: CallError | null, response?: AppendResp): void => {
    if (answered) return;
    answered = true;
    callback(error, response);
  };

  call.on('data', (request: AppendReq) => {
    if (answered) return;
    try {
      if (!options) {
        options = request.getOptions();
        if (!options || !options.hasStreamIdentifier()) throw new DotnetException('InvalidOperationException');
        received = { streamId: streamName(options.getStreamIdentifier()), events: 0 };
        journal.push(received);
        expected = appendExpectation(options);
        return;
      }
      const message = request.getProposedMessage();
      if (!message) throw new DotnetException('InvalidOperationException');
      if (received) received.events += 1;
      const metadata = message.getMetadataMap();
      const type = metadata.get('type');
      if (type === undefined) return answer(requiredMetadataPropertyMissing('type'));
      const contentType = metadata.get('content-type');
      if (contentType === undefined) return answer(requiredMetadataPropertyMissing('content-type'));
      const data = message.getData_asU8();
      const customMetadata = message.getCustomMetadata_asU8();
      size += countedSize(settings, type, data, customMetadata);
      if (size > settings.maxAppendSize) return answer(maxAppendSizeExceeded(settings.maxAppendSize));
      events.push(newEvent(uuidFromDto(message.getId()), type, contentType, data, customMetadata));
    } catch (error) {
      answer(error instanceof DotnetException ? handlerException() : internal(error));
    }
  });

  call.on('end', () => {
    if (answered) return;
    if (!options || !expected) return answer(handlerException());
    try {
      const streamId = streamName(options.getStreamIdentifier());
      const outcome = log.append(streamId, expected, events);
      if (outcome.kind === 'stream_deleted') return answer(streamDeleted(streamId));
      answer(null, appendResponse(outcome, expected));
    } catch (error) {
      answer(internal(error));
    }
  });

  // A cancelled call has nothing left to answer.
  call.on('error', () => undefined);
}

type WriteOutcome = Exclude<ReturnType<StandInLog['append']>, { kind: 'stream_deleted' }>;

function appendResponse(outcome: WriteOutcome, expected: ExpectedState): AppendResp {
  const response = new AppendResp();
  if (outcome.kind === 'success') {
    const success = new AppendResp.Success();
    if (outcome.currentRevision === null) success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    const position = outcome.position.toString();
    success.setPosition(new AppendResp.Position().setCommitPosition(position).setPreparePosition(position));
    return response.setSuccess(success);
  }
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
  return response.setWrongExpectedVersion(wrong);
}

interface PendingWrite {
  readonly streamId: string;
  readonly expected: ExpectedState;
  readonly events: ProposedEvent[];
  size: number;
  readonly timer: NodeJS.Timeout;
  readonly received: ReceivedAppend;
}

/** Requests whose options carried a Duration deadline (field 7), which the client's message classes do not know. */
const durationDeadlines = new WeakMap<BatchAppendReq, number>();

/**
 * Streams.BatchAppend as Streams.BatchAppend.cs: one bidirectional call carries every append, each
 * under its correlation id. A request with options opens a write (unless one with that id is open),
 * with a deadline of the smaller of the client's (a Timestamp `deadline_21_10_0`, or a Duration once
 * the client saw `deadline_duration`) and WriteTimeoutMs; one already past answers Timeout at once. Its
 * events are added as they come, the running size is checked after each request, and `is_final` writes
 * them. Failures are answered in the response (google.rpc statuses), the call stays open. The server's
 * quirks are kept: an event the server cannot read is answered BadRequest but leaves its write open, so
 * that the write also answers Timeout at its deadline; a request without options that fails ends the
 * whole call (the server's error handler reads the options it does not have).
 */
export function handleBatchAppend(
  log: StandInLog,
  settings: WriteSettings,
  journal: ReceivedAppend[],
  call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>,
): void {
  const pending = new Map<string, PendingWrite>();
  let closed = false;
  const close = (): void => {
    closed = true;
    for (const write of pending.values()) clearTimeout(write.timer);
    pending.clear();
  };
  const respond = (response: BatchAppendResp): void => {
    if (!closed) call.write(response);
  };
  const fail = (error: CallError): void => {
    if (closed) return;
    close();
    call.emit('error', error);
  };

  call.on('data', (request: BatchAppendReq) => {
    if (closed) return;
    try {
      receive(request);
    } catch (error) {
      if (!(error instanceof DotnetException)) return fail(internal(error));
      const options = request.getOptions();
      if (!options) return fail(handlerException());
      respond(
        new BatchAppendResp()
          .setCorrelationId(request.getCorrelationId())
          .setStreamIdentifier(options.getStreamIdentifier())
          .setError(badRequestStatus(error.message)),
      );
    }
  });
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('cancelled', close);
  call.on('error', close);

  function receive(request: BatchAppendReq): void {
    const correlation = uuidFromDto(request.getCorrelationId());
    const options = request.getOptions();
    if (options) {
      const timeout = Math.min(requestedTimeoutMs(options, durationDeadlines.get(request)), settings.writeTimeoutMs);
      const answer = new BatchAppendResp().setCorrelationId(request.getCorrelationId()).setStreamIdentifier(options.getStreamIdentifier());
      if (!options.hasStreamIdentifier()) return respond(answer.setError(badRequestStatus('Required field StreamIdentifier not set.')));
      if (timeout <= 0) return respond(answer.setError(timeoutStatus()));
      if (!pending.has(correlation)) open(correlation, options, timeout);
    }
    const write = pending.get(correlation);
    if (!write) return;
    write.received.events += request.getProposedMessagesList().length;
    for (const message of request.getProposedMessagesList()) {
      const metadata = message.getMetadataMap();
      const id = uuidFromDto(message.getId());
      const type = required(metadata, 'type');
      const contentType = required(metadata, 'content-type');
      const data = message.getData_asU8();
      const customMetadata = message.getCustomMetadata_asU8();
      write.events.push(newEvent(id, type, contentType, data, customMetadata));
      write.size += countedSize(settings, type, data, customMetadata);
    }
    if (write.size > settings.maxAppendSize) {
      pending.delete(correlation);
      respond(
        new BatchAppendResp()
          .setCorrelationId(request.getCorrelationId())
          .setStreamIdentifier(identifierOf(write.streamId))
          .setError(maximumAppendSizeExceededStatus(settings.maxAppendSize)),
      );
    }
    if (!request.getIsFinal() || pending.get(correlation) !== write) return;
    pending.delete(correlation);
    clearTimeout(write.timer);
    respond(written(write, request.getCorrelationId()));
  }

  function open(correlation: string, options: BatchAppendReq.Options, timeout: number): void {
    const expected = batchExpectation(options);
    const streamId = streamName(options.getStreamIdentifier());
    const timer = setTimeout(() => {
      if (pending.get(correlation) !== write) return;
      pending.delete(correlation);
      respond(
        new BatchAppendResp()
          .setCorrelationId(structuredUuid(correlation))
          .setStreamIdentifier(identifierOf(streamId))
          .setError(timeoutStatus()),
      );
    }, timeout);
    timer.unref();
    const received = { streamId, events: 0 };
    journal.push(received);
    const write: PendingWrite = { streamId, expected, events: [], size: 0, timer, received };
    pending.set(correlation, write);
  }

  function written(write: PendingWrite, correlationId: UUID | undefined): BatchAppendResp {
    const response = new BatchAppendResp().setCorrelationId(correlationId).setStreamIdentifier(identifierOf(write.streamId));
    const outcome = log.append(write.streamId, write.expected, write.events);
    switch (outcome.kind) {
      case 'stream_deleted':
        return response.setError(streamDeletedStatus(write.streamId));
      case 'wrong_expected_version':
        return response.setError(wrongExpectedVersionStatus(outcome.currentRevision, write.expected));
      case 'success': {
        const success = new BatchAppendResp.Success();
        if (outcome.currentRevision === null) success.setNoStream(new ProtoEmpty());
        else success.setCurrentRevision(outcome.currentRevision.toString());
        const position = outcome.position.toString();
        success.setPosition(new AllStreamPosition().setCommitPosition(position).setPreparePosition(position));
        return response.setSuccess(success);
      }
    }
  }
}

/**
 * The BatchAppend method definition with a request deserializer that also picks up the Duration
 * deadline (options field 7), so that clients which saw `deadline_duration` are served too.
 */
export function batchAppendDefinition<T extends grpc.MethodDefinition<BatchAppendReq, BatchAppendResp>>(definition: T): T {
  return {
    ...definition,
    requestDeserialize: (bytes: Buffer) => {
      const request = BatchAppendReq.deserializeBinary(bytes);
      const duration = durationDeadlineMs(bytes);
      if (duration !== undefined) durationDeadlines.set(request, duration);
      return request;
    },
  };
}

function durationDeadlineMs(bytes: Uint8Array): number | undefined {
  const request = new BinaryReader(bytes);
  let deadline: number | undefined;
  while (request.nextField() && !request.isEndGroup()) {
    if (request.getFieldNumber() !== 2) {
      request.skipField();
      continue;
    }
    request.readMessage(null, (_: unknown, options: BinaryReader) => {
      while (options.nextField() && !options.isEndGroup()) {
        if (options.getFieldNumber() !== 7) {
          options.skipField();
          continue;
        }
        let seconds = 0;
        let nanos = 0;
        options.readMessage(null, (__: unknown, duration: BinaryReader) => {
          while (duration.nextField() && !duration.isEndGroup()) {
            if (duration.getFieldNumber() === 1) seconds = duration.readInt64();
            else if (duration.getFieldNumber() === 2) nanos = duration.readInt32();
            else duration.skipField();
          }
        });
        deadline = seconds * 1000 + nanos / 1e6;
      }
    });
  }
  return deadline;
}

function requestedTimeoutMs(options: BatchAppendReq.Options, duration: number | undefined): number {
  if (duration !== undefined) return duration;
  const deadline = options.getDeadline();
  return deadline ? deadline.toDate().getTime() - Date.now() : Number.POSITIVE_INFINITY;
}

/** `proposedMessage.Metadata[key]`: a missing key is .NET's KeyNotFoundException. */
function required(metadata: { get(key: string): string | undefined }, key: string): string {
  const value = metadata.get(key);
  if (value === undefined) throw new DotnetException(`The given key '${key}' was not present in the dictionary.`);
  return value;
}

/** The Event constructor (Event.cs): the id must not be empty, nor the type. */
function newEvent(id: string, type: string, contentType: string, data: Uint8Array, customMetadata: Uint8Array): ProposedEvent {
  assertNotEmptyEventId(id);
  if (type === '') throw new DotnetException("Empty eventType provided. (Parameter 'eventType')");
  return { id, type, isJson: contentType === 'application/json', data, customMetadata };
}

function countedSize(settings: WriteSettings, type: string, data: Uint8Array, customMetadata: Uint8Array): number {
  return settings.countsMetadataInAppendSize ? data.length + customMetadata.length + type.length * 2 : data.length;
}

function appendExpectation(options: AppendReq.Options): ExpectedState {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return { kind: 'any' };
    default:
      throw new DotnetException('InvalidOperationException');
  }
}

function batchExpectation(options: BatchAppendReq.Options): ExpectedState {
  switch (options.getExpectedStreamPositionCase()) {
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_POSITION:
      return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case BatchAppendReq.Options.ExpectedStreamPositionCase.ANY:
      return { kind: 'any' };
    default:
      // RpcExceptions.InvalidArgument(options.ExpectedStreamPositionCase), caught and answered BadRequest.
      throw new DotnetException(
        `Status(StatusCode="InvalidArgument", Detail="'None' is not a valid EventStore.Client.Streams.BatchAppendReq+Types+Options+ExpectedStreamPositionOneofCase")`,
      );
  }
}

export function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function identifierOf(streamId: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Uint8Array.from(Buffer.from(streamId, 'utf8')));
}
