import { randomUUID } from 'node:crypto';

/** An event as the stand-in stores it: bytes in, bytes out, as EventStoreDB does. */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  /** Lower-case UUID text. */
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Pre-position of the event's record in the log; commit and prepare are both this value. */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, the unit of the `created` metadata entry. */
  readonly created: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export type ExpectedState =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'revision'; readonly revision: bigint };

/** `currentRevision` null means the stream does not exist. */
export type AppendOutcome =
  | { readonly kind: 'success'; readonly currentRevision: bigint | null; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: bigint | null }
  | { readonly kind: 'stream_deleted' };

export type TombstoneOutcome =
  | { readonly kind: 'success'; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: bigint | null }
  | { readonly kind: 'stream_deleted' };

/**
 * What the server's storage reader makes of a read of `$all` from a position: `invalid-position` when
 * reading the record there fails (InvalidReadException: ReadAllResult.InvalidPosition), `read-error`
 * for any other failure (ReadAllResult.Error).
 */
export type AllPositionCheck = 'ok' | 'invalid-position' | 'read-error';

export type ReadDirection = 'forwards' | 'backwards';

export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 88n;
/** The revision of a tombstone record (EventNumber.DeletedStream, long.MaxValue). */
export const DELETED_STREAM_REVISION = 2n ** 63n - 1n;
/** The event type of a tombstone record (SystemEventTypes.StreamDeleted). */
export const STREAM_DELETED_TYPE = '$streamDeleted';
const utf8 = new TextEncoder();

/**
 * The in-memory transaction log behind the stand-in. Appends are synchronous, so each one is atomic
 * against every other call; positions and `created` stamps only ever grow.
 */
export class StandInLog {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  // The server's committed-events cache: which stream and revision an event id was last written at.
  private readonly eventIds = new Map<string, StoredEvent>();
  private readonly tombstoned = new Set<string>();
  /** Pre-positions of every record written: where a read of the log may start. */
  private readonly recordStarts = new Set<bigint>();
  private lastRecordStart = -1n;
  private writerPosition = 0n;
  private lastCreated = 0n;
  private readonly writeListeners = new Set<(records: readonly StoredEvent[]) => void>();

  /** Calls `listener` with every record written to `$all` from now on, as it is written; returns the way to stop. */
  onWrite(listener: (records: readonly StoredEvent[]) => void): () => void {
    this.writeListeners.add(listener);
    return () => void this.writeListeners.delete(listener);
  }

  append(streamId: string, expected: ExpectedState, proposed: readonly ProposedEvent[]): AppendOutcome {
    if (this.tombstoned.has(streamId)) return { kind: 'stream_deleted' };
    const stream = this.streams.get(streamId) ?? [];
    const current = BigInt(stream.length) - 1n;
    const currentRevision = current < 0n ? null : current;
    const refused: AppendOutcome = { kind: 'wrong_expected_version', currentRevision };

    switch (expected.kind) {
      case 'stream_exists':
        if (current < 0n) return refused;
        return this.appendWithoutExplicitRevision(streamId, stream, proposed) ?? refused;
      case 'any':
        return this.appendWithoutExplicitRevision(streamId, stream, proposed) ?? refused;
      case 'no_stream':
        return this.appendAtRevision(streamId, stream, -1n, proposed) ?? refused;
      case 'revision':
        return this.appendAtRevision(streamId, stream, expected.revision, proposed) ?? refused;
    }
  }

  /**
   * A hard delete: the stream is gone for good, and its tombstone record (type `$streamDeleted`, at
   * revision long.MaxValue) stands in `$all`. The expectation is checked as an append's.
   */
  tombstone(streamId: string, expected: ExpectedState): TombstoneOutcome {
    if (this.tombstoned.has(streamId)) return { kind: 'stream_deleted' };
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? null : BigInt(stream.length - 1);
    const met =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === null) ||
      (expected.kind === 'stream_exists' && current !== null) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!met) return { kind: 'wrong_expected_version', currentRevision: current };
    const record: StoredEvent = {
      streamId,
      revision: DELETED_STREAM_REVISION,
      id: randomUUID(),
      type: STREAM_DELETED_TYPE,
      isJson: false,
      data: new Uint8Array(),
      customMetadata: new Uint8Array(),
      position: this.reserve(RECORD_OVERHEAD + BigInt(utf8.encode(streamId).length + STREAM_DELETED_TYPE.length)),
      created: this.nextCreated(),
    };
    this.log.push(record);
    this.tombstoned.add(streamId);
    this.written([record]);
    return { kind: 'success', position: record.position };
  }

  isDeleted(streamId: string): boolean {
    return this.tombstoned.has(streamId);
  }

  /**
   * The storage reader repositions the transaction file at the commit position and reads the record
   * there (StorageReaderWorker.ReadAllEvents*, AllReader): a negative position is refused; forwards,
   * a position after the last record is the end of the log (an empty read, not an error), one inside
   * the log must be a record's start; backwards, it must be a record's start or the writer's position,
   * and one past the writer's position is a plain failure. Positions are the server's signed ones.
   */
  checkAllPosition(position: LogPosition, direction: ReadDirection): AllPositionCheck {
    const { commit, prepare } = position;
    if (commit < 0n || prepare < 0n) return 'invalid-position';
    if (direction === 'forwards') {
      return commit > this.lastRecordStart || this.recordStarts.has(commit) ? 'ok' : 'invalid-position';
    }
    if (commit > this.writerPosition) return 'read-error';
    return commit === 0n || commit === this.writerPosition || this.recordStarts.has(commit) ? 'ok' : 'invalid-position';
  }

  /** Null when the stream has no events. */
  readStream(
    streamId: string,
    from: bigint | 'start' | 'end',
    direction: ReadDirection,
    count: bigint,
  ): StoredEvent[] | null {
    const stream = this.streams.get(streamId);
    if (!stream || stream.length === 0) return null;
    const last = BigInt(stream.length - 1);
    if (direction === 'forwards') {
      const start = from === 'start' ? 0n : from === 'end' ? last + 1n : from;
      return take(stream.filter((e) => e.revision >= start), count);
    }
    const start = from === 'start' ? 0n : from === 'end' ? last : from;
    return take(stream.filter((e) => e.revision <= start).reverse(), count);
  }

  /**
   * Forwards from a position includes the event at it; backwards from a position excludes it
   * (the server reads backwards from post-positions).
   */
  readAll(from: LogPosition | 'start' | 'end', direction: ReadDirection, count: bigint): StoredEvent[] {
    if (direction === 'forwards') {
      if (from === 'end') return [];
      const events = from === 'start' ? this.log : this.log.filter((e) => comparePair(e.position, from) >= 0);
      return take(events, count);
    }
    if (from === 'start') return [];
    const events = from === 'end' ? [...this.log] : this.log.filter((e) => comparePair(e.position, from) < 0);
    return take(events.reverse(), count);
  }

  /**
   * With `any` or `stream_exists` the server only knows recent event ids from a cache: all proposed ids
   * already in this stream make an idempotent success, none of them a normal write, some of them a
   * refusal. Null means refused.
   */
  private appendWithoutExplicitRevision(
    streamId: string,
    stream: StoredEvent[],
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | null {
    const known = proposed.map((p) => this.eventIds.get(p.id)).map((e) => (e?.streamId === streamId ? e : undefined));
    if (known.length === 0 || known[0] === undefined) return this.write(streamId, stream, proposed);
    const last = known[known.length - 1];
    if (known.some((e) => e === undefined) || !last) return null;
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }

  /**
   * An explicit expectation behind the stream's end is an idempotent success only when the proposed
   * events are exactly the ones that follow it; null means refused.
   */
  private appendAtRevision(
    streamId: string,
    stream: StoredEvent[],
    expected: bigint,
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | null {
    const current = BigInt(stream.length) - 1n;
    if (expected === current) return this.write(streamId, stream, proposed);
    if (expected > current || proposed.length === 0) return null;
    const repeated = proposed.every((p, i) => stream[Number(expected) + 1 + i]?.id === p.id);
    if (!repeated) return null;
    const last = stream[Number(expected) + proposed.length];
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }

  private write(streamId: string, stream: StoredEvent[], proposed: readonly ProposedEvent[]): AppendOutcome {
    const created = this.nextCreated();
    const first = BigInt(stream.length);
    if (proposed.length === 0) {
      // The server still writes an (eventless) record for an empty append and reports its position.
      const position = this.reserve(RECORD_OVERHEAD + BigInt(utf8.encode(streamId).length));
      return { kind: 'success', currentRevision: first === 0n ? null : first - 1n, position };
    }
    const written = proposed.map((p, i): StoredEvent => {
      const size =
        RECORD_OVERHEAD +
        BigInt(utf8.encode(streamId).length + utf8.encode(p.type).length + p.data.length + p.customMetadata.length);
      return {
        streamId,
        revision: first + BigInt(i),
        id: p.id,
        type: p.type,
        isJson: p.isJson,
        data: Uint8Array.from(p.data),
        customMetadata: Uint8Array.from(p.customMetadata),
        position: this.reserve(size),
        created,
      };
    });
    for (const event of written) {
      this.log.push(event);
      this.eventIds.set(event.id, event);
    }
    this.streams.set(streamId, [...stream, ...written]);
    this.written(written);
    const last = written[written.length - 1];
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }

  private written(records: readonly StoredEvent[]): void {
    for (const listener of this.writeListeners) listener(records);
  }

  private reserve(size: bigint): bigint {
    const position = this.writerPosition;
    this.writerPosition += size;
    this.recordStarts.add(position);
    this.lastRecordStart = position;
    return position;
  }

  private nextCreated(): bigint {
    const now = BigInt(Date.now()) * TICKS_PER_MS;
    this.lastCreated = now > this.lastCreated ? now : this.lastCreated + 1n;
    return this.lastCreated;
  }
}

function take<T>(items: readonly T[], count: bigint): T[] {
  return count >= BigInt(items.length) ? [...items] : items.slice(0, Number(count));
}

function comparePair(position: bigint, other: LogPosition): number {
  if (position !== other.commit) return position < other.commit ? -1 : 1;
  if (position !== other.prepare) return position < other.prepare ? -1 : 1;
  return 0;
}
