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
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: bigint | null };

export type ReadDirection = 'forwards' | 'backwards';

export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 88n;
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
  private writerPosition = 0n;
  private lastCreated = 0n;

  append(streamId: string, expected: ExpectedState, proposed: readonly ProposedEvent[]): AppendOutcome {
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
    const last = written[written.length - 1];
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }

  private reserve(size: bigint): bigint {
    const position = this.writerPosition;
    this.writerPosition += size;
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
