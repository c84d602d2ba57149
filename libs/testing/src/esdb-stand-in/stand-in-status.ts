import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import type { Message } from 'google-protobuf';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  BadRequest,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import type { ExpectedState } from './stand-in-log';

/**
 * The failures EventStoreDB 24.10 answers with, word for word: `RpcExceptions.cs` (call statuses with
 * an `exception` metadata entry the client turns into typed errors) and `Status.cs` (the google.rpc
 * statuses that BatchAppend puts in a response instead of failing the call).
 */
export type CallError = Partial<grpc.ServiceError>;

/** What grpc-dotnet answers when a handler throws anything but an RpcException (EnableDetailedErrors is off). */
export const HANDLER_EXCEPTION = 'Exception was thrown by handler.';

/** An exception the server's .NET code would throw, with the message .NET gives it. */
export class DotnetException extends Error {}

export const handlerException = (): CallError => ({ code: grpc.status.UNKNOWN, details: HANDLER_EXCEPTION });

export function maxAppendSizeExceeded(maxAppendSize: number): CallError {
  return withMetadata(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(maxAppendSize),
  });
}

export function requiredMetadataPropertyMissing(property: string): CallError {
  return withMetadata(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

export function streamDeleted(streamName: string): CallError {
  return withMetadata(grpc.status.FAILED_PRECONDITION, `Event stream '${streamName}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': streamName,
  });
}

/** `RpcExceptions.WrongExpectedVersion`, used by Delete and Tombstone (Append answers it in its response). */
export function wrongExpectedVersion(operation: string, streamName: string, expected: ExpectedState, actual: bigint | null): CallError {
  const expectedVersion = expectedVersionNumber(expected).toString();
  const actualVersion = (actual ?? -1n).toString();
  return withMetadata(
    grpc.status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${streamName}, Expected version: ${expectedVersion}, Actual version: ${actualVersion}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': streamName,
      'expected-version': expectedVersion,
      'actual-version': actualVersion,
    },
  );
}

export const invalidPosition = (): CallError => ({
  code: grpc.status.INVALID_ARGUMENT,
  details: 'Trying to read from an invalid position.',
});

/** `RpcExceptions.UnknownError(typeof(ReadAllResult), ReadAllResult.Error)`: the storage reader threw. */
export const readAllError = (): CallError => ({ code: grpc.status.UNKNOWN, details: 'Unexpected ReadAllResult: Error' });

export const requiredArgument = (name: string, type: string): CallError => ({
  code: grpc.status.INVALID_ARGUMENT,
  details: `'${name}' is a required argument of type ${type}`,
});

export const unimplemented = (path: string): CallError => ({
  code: grpc.status.UNIMPLEMENTED,
  details: `${path} is not emulated by the stand-in`,
});

export function internal(error: unknown): CallError {
  return { code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}

// The google.rpc statuses of BatchAppend responses (Status.cs).

export function wrongExpectedVersionStatus(current: bigint | null, expected: ExpectedState): Status {
  const details = new WrongExpectedVersion();
  if (current === null) details.setCurrentNoStream(new ProtoEmpty());
  else details.setCurrentStreamRevision(current.toString());
  switch (expected.kind) {
    case 'any':
      details.setExpectedAny(new ProtoEmpty());
      break;
    case 'no_stream':
      details.setExpectedNoStream(new ProtoEmpty());
      break;
    case 'stream_exists':
      details.setExpectedStreamExists(new ProtoEmpty());
      break;
    case 'revision':
      details.setExpectedStreamPosition(expected.revision.toString());
      break;
  }
  return status(Code.ALREADY_EXISTS, 'WrongExpectedVersion', details, 'event_store.client.WrongExpectedVersion');
}

export function streamDeletedStatus(streamName: string): Status {
  const details = new StreamDeleted().setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8')));
  return status(Code.NOT_FOUND, 'StreamDeleted', details, 'event_store.client.StreamDeleted');
}

export function maximumAppendSizeExceededStatus(maxAppendSize: number): Status {
  const details = new MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize);
  return status(Code.INVALID_ARGUMENT, 'MaximumAppendSizeExceeded', details, 'event_store.client.MaximumAppendSizeExceeded');
}

export function badRequestStatus(message: string): Status {
  return status(Code.INVALID_ARGUMENT, 'BadRequest', new BadRequest().setMessage(message), 'event_store.client.BadRequest');
}

export function timeoutStatus(): Status {
  return status(Code.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout');
}

/** The server's `ExpectedVersion` numbers: Any -2, NoStream -1, StreamExists -4. */
function expectedVersionNumber(expected: ExpectedState): bigint {
  switch (expected.kind) {
    case 'any':
      return -2n;
    case 'no_stream':
      return -1n;
    case 'stream_exists':
      return -4n;
    case 'revision':
      return expected.revision;
  }
}

function status(code: Code, message: string, details: Message, typeName: string): Status {
  const any = new Any();
  any.pack(details.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(message).setDetails(any);
}

function withMetadata(code: grpc.status, details: string, entries: Record<string, string>): CallError {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return { code, details, metadata };
}
