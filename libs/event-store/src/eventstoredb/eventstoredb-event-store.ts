import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import type {
  EventType,
  Position,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { actualRevision, checkExpectedRevision, eventIdKey, findIdempotentRepeat, MAX_APPEND_ATTEMPTS, CONFLICT_BACKOFF } from '../append-rules';
import { pause } from '../backoff';
import { chainHashes } from '../event-hash';
import {
  AppendTooLargeError,
  DuplicateEventIdError,
  InvalidEventIdError,
  InvalidPositionError,
  StreamDeletedError,
  WrongExpectedVersionError,
} from '../event-store.errors';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamRevision,
} from '../event-store.port';
import { comparePositions } from '../global-position';
import { isStoreUnavailable } from '../store-availability';
import type { AppendListener, AppendWatch } from '../log-wakeups';
import { AppendPart, DEFAULT_MAX_APPEND_SIZE, splitIntoParts, storedPrefix } from './append-parts';
import { watchEventStoreDBAppends } from './eventstoredb-append-watch';

export interface EventStoreDBEventStoreOptions {
  /** How long {@link EventStoreDBEventStore.ping} waits for the server; default 5 000 ms. */
  readonly pingTimeoutMs?: number;
  /** The server's MaxAppendSize (`EVENTSTORE_MAX_APPEND_SIZE`), in bytes; default 1,048,576, the server's default. */
  readonly maxAppendSize?: number;
  /**
   * Told once per event (per process) of each event the global read leaves out because it is not
   * this system's: not JSON, or without the hash chain this system writes. Default: nothing is told.
   */
  readonly onSetAside?: (event: SetAsideEvent) => void;
}

/** An event of $all that some other client wrote, which the global read hands to no consumer. */
export interface SetAsideEvent {
  id: string;
  streamId: string;
  type: string;
  position: GlobalPosition;
  reason: string;
}

/** How many set-aside event ids a store remembers having told of, so that each is told once. */
const SET_ASIDE_MEMORY = 10_000;

const DEFAULT_READ_ALL_COUNT = 1000;
const MIN_READ_ALL_PAGE = 100;
const MAX_READ_ALL_PAGE = 4096;
/** How far back the head is looked for first: past the few system events the server writes at the end of $all. */
const HEAD_FIRST_PAGE = 32;
/** What the server reports for a position it does not know (2^64 - 1), e.g. for stream reads on older servers. */
const NO_POSITION: GlobalPosition = Object.freeze({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n });
/** Positions are unsigned 64-bit numbers on the wire. */
const MAX_ESDB_POSITION = 2n ** 64n - 1n;
/** The server takes a position only as signed 64-bit numbers, the commit not before the prepare (Position.cs). */
const MAX_READABLE_POSITION = 2n ** 63n - 1n;
/** What EventStoreDB's storage reader answers a read of $all from inside a record (RpcExceptions.InvalidPositionException). */
const INVALID_POSITION_DETAILS = 'Trying to read from an invalid position.';
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** The chain's entries take the same room in the stored metadata whatever the hashes (null, for a first event, takes less). */
const HASH_PLACEHOLDER = '0'.repeat(64);
/** How many events before the new ones an 'any' or 'stream_exists' append searches for a re-send of its ids. */
const RESEND_WINDOW = 32;

/**
 * Metadata keys that carry an event's hash chain in the stored metadata. EventStoreDB reserves every
 * `$`-prefixed metadata key for itself, so these have no `$`. Callers may not use them.
 */
export const HASH_METADATA_KEY = 'mfhHash';
export const PREVIOUS_HASH_METADATA_KEY = 'mfhPreviousHash';

/**
 * The {@link EventStore} port on EventStoreDB (or KurrentDB) through `@eventstore/db-client`.
 * Events are stored as JSON with their metadata, plus the hash chain under {@link HASH_METADATA_KEY} and
 * {@link PREVIOUS_HASH_METADATA_KEY}, which reads move back out of the metadata; an event some other
 * client appended has no chain and reads with an empty `hash`, so verification fails at it.
 * `readAll` hides system streams and system events (anything whose stream id or type starts with `$`).
 *
 * The server refuses an append over its MaxAppendSize. One event over it on its own, or an append at
 * an expected revision that is over it, is refused here ({@link AppendTooLargeError}) before anything
 * is sent; an append with `any` or `stream_exists` over it is written in parts (see `appendInParts`).
 * Ids that are not UUIDs are refused ({@link InvalidEventIdError}), a tombstoned stream is
 * {@link StreamDeletedError}, and a global read from a position that is no event's is
 * {@link InvalidPositionError}, as the server refuses each.
 */
export class EventStoreDBEventStore extends EventStore {
  private readonly pingTimeoutMs: number;
  private readonly maxAppendSize: number;
  private readonly watches = new Set<AppendWatch>();
  private readonly onSetAside: ((event: SetAsideEvent) => void) | undefined;
  private readonly toldSetAside = new Set<string>();

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDBEventStoreOptions = {},
  ) {
    super();
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
    this.maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
    this.onSetAside = options.onSetAside;
  }

  /** From a connection string such as `esdb://localhost:2113?tls=false`; connects on first use. */
  static connect(connectionString: string, options?: EventStoreDBEventStoreOptions): EventStoreDBEventStore {
    return new EventStoreDBEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    if (events.length === 0) return this.appendNothing(streamId, expected);
    assertNoChainKeys(streamId, events);
    assertEventIds(streamId, events);
    const sizes = events.map(appendSize);
    const oversized = sizes.findIndex((size) => size > this.maxAppendSize);
    if (oversized >= 0) {
      throw new AppendTooLargeError(streamId, 'event', sizes[oversized], this.maxAppendSize, events[oversized].id);
    }
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const unpinned = expected === 'any' || expected === 'stream_exists';
    if (total > this.maxAppendSize) {
      if (!unpinned) throw new AppendTooLargeError(streamId, 'atomic-batch', total, this.maxAppendSize);
      return this.appendInParts(streamId, events, expected, splitIntoParts(sizes, this.maxAppendSize));
    }
    return unpinned ? this.appendUnpinned(streamId, events, expected) : this.appendPinned(streamId, events, expected);
  }

  /**
   * Without an expected revision, an append over the server's limit goes as several appends under it,
   * one after another, each chained to what precedes it. Each part is atomic, the whole is not: a
   * reader can see the first parts before the last, another writer's events can land between parts.
   * A re-send of the whole is a no-op; one after a failure between parts writes the missing parts only.
   */
  private async appendInParts(
    streamId: string,
    events: readonly NewEvent[],
    expected: 'any' | 'stream_exists',
    parts: readonly AppendPart[],
  ): Promise<AppendResult> {
    const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: events.length + RESEND_WINDOW });
    const byId = new Map(tail.map((event) => [eventIdKey(event.id), event]));
    const repeat = findIdempotentRepeat(streamId, events, (id) => byId.get(eventIdKey(id)), expected);
    if (repeat) return repeat;
    const done = storedPrefix(tail, events.map((event) => event.id), parts);
    const duplicate = events.slice(done).find((event) => byId.has(eventIdKey(event.id)));
    if (duplicate) throw new DuplicateEventIdError(streamId, duplicate.id);
    let result: AppendResult | null = null;
    for (const [start, end] of parts) {
      if (start < done) continue;
      result = await this.appendUnpinned(streamId, events.slice(start, end), start === 0 ? expected : 'stream_exists');
    }
    // The last part always starts at or after `done`, which is a part's end short of the batch's.
    return result as AppendResult;
  }

  /**
   * The hashes of a batch depend on the event before it, so every write names the exact revision it
   * read the previous hash at: a write that got there first makes the server refuse this one.
   */
  private async appendPinned(
    streamId: string,
    events: readonly NewEvent[],
    expected: StreamRevision | 'no_stream',
  ): Promise<AppendResult> {
    const pinned = expected === 'no_stream' ? -1 : expected;
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? -1;
    // Ahead of the stream: a write racing us up to `pinned` would leave these hashes chained to a stale one.
    if (current < pinned) throw new WrongExpectedVersionError(streamId, expected, actualRevision(current));
    // Behind it, the server never writes: it answers an idempotent repeat (by event ids) or a refusal,
    // so the hashes sent along do not matter.
    if (current === pinned) return this.write(streamId, events, expected, pinned, last?.hash ?? null);
    return { ...(await this.write(streamId, events, expected, pinned, null)), alreadyStored: true };
  }

  /** Appends at the revision it reads, again on a conflict; a re-send of the stream's last events is a no-op. */
  private async appendUnpinned(
    streamId: string,
    events: readonly NewEvent[],
    expected: 'any' | 'stream_exists',
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: events.length + RESEND_WINDOW });
      const current = tail[0]?.revision ?? -1;
      const byId = new Map(tail.map((event) => [eventIdKey(event.id), event]));
      const repeat = findIdempotentRepeat(streamId, events, (id) => byId.get(eventIdKey(id)), expected);
      if (repeat) return repeat;
      checkExpectedRevision(streamId, expected, current);
      const duplicate = events.find((event) => byId.has(eventIdKey(event.id)));
      if (duplicate) throw new DuplicateEventIdError(streamId, duplicate.id);
      try {
        return await this.write(streamId, events, expected, current, tail[0]?.hash ?? null);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
        await pause(attempt, CONFLICT_BACKOFF);
      }
    }
  }

  /** Appends expecting the stream to end at `at` (-1: no stream), chaining the events to `previousHash`. */
  private async write(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    at: StreamRevision,
    previousHash: string | null,
  ): Promise<AppendResult> {
    const links = chainHashes(streamId, at + 1, previousHash, events);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((event, i) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: {
              ...event.metadata,
              [HASH_METADATA_KEY]: links[i].hash,
              [PREVIOUS_HASH_METADATA_KEY]: links[i].previousHash,
            },
          }),
        ),
        { expectedRevision: at === -1 ? NO_STREAM : BigInt(at) },
      );
      const revision = Number(result.nextExpectedRevision);
      // Only reachable when the connection string sets throwOnAppendFailure=false.
      if (!result.success) throw new WrongExpectedVersionError(streamId, expected, actualRevision(revision));
      // Older servers answer an idempotent re-append without a position.
      const position = result.position ? fromEsdbPosition(result.position) : await this.positionOf(streamId, revision);
      return { nextExpectedRevision: revision, position };
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      if (error instanceof MaxAppendSizeExceededError) {
        throw new AppendTooLargeError(streamId, 'server', null, error.maxAppendSize);
      }
      if (error instanceof EsdbStreamDeletedError) throw new StreamDeletedError(streamId);
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const from = options.fromRevision;
    if (maxCount <= 0 || (backwards && from !== undefined && from < 0)) return [];

    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: from === undefined ? (backwards ? END : START) : BigInt(Math.max(from, 0)),
        maxCount,
      });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      if (error instanceof EsdbStreamDeletedError) throw new StreamDeletedError(streamId);
      throw error;
    }
    return events;
  }

  /**
   * Throws {@link InvalidPositionError} for an `after` the server cannot start at (inside a record), and
   * for one past the end of the log, which the server reads as an empty end of the log: a checkpoint
   * kept from another log (a server started afresh) would otherwise wait there for ever, silently.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
    if (maxCount <= 0) return [];
    const from = options.after && options.after.commit >= 0n ? options.after : null;
    // The server's own "no position" (older servers' answer to a repeated append) reads as the end of the log.
    if (from && from.commit === MAX_ESDB_POSITION && from.prepare === MAX_ESDB_POSITION) return [];
    if (from && !isReadablePosition(from)) throw new InvalidPositionError(from, 'not-an-event');
    let after = from;
    const events: RecordedEvent[] = [];

    for (let first = true; ; first = false) {
      // The server starts a forward read AT the position given, so ask for one more and drop it; system
      // events are filtered here (this client version reads $all unfiltered), so pages are never tiny.
      const page = Math.min(Math.max(maxCount - events.length + 1, MIN_READ_ALL_PAGE), MAX_READ_ALL_PAGE);
      let received = 0;
      try {
        for await (const resolved of this.client.readAll({ fromPosition: after ?? START, maxCount: page })) {
          received += 1;
          const event = resolved.event;
          if (!event) continue;
          const position = fromEsdbPosition(event.position);
          if (after && comparePositions(position, after) <= 0) continue;
          after = position;
          if (events.length >= maxCount || isSystemEvent(event)) continue;
          // Another client's event would stop every consumer (not JSON), or feed it what this system never decided (no chain): left out, and told.
          const foreign = foreignReason(event);
          if (foreign === null) events.push(toRecordedEvent(event));
          else this.setAside(event, position, foreign);
        }
      } catch (error) {
        if (after && isInvalidPositionRefusal(error)) throw new InvalidPositionError(after, 'not-an-event');
        throw error;
      }
      // A read from an event's position returns that event first: nothing at all means past the end.
      if (first && received === 0 && from && (await this.isPastTheEnd(from))) throw new InvalidPositionError(from, 'past-the-end');
      if (received < page || events.length >= maxCount) return events;
    }
  }

  private async isPastTheEnd(position: GlobalPosition): Promise<boolean> {
    const [last] = await this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }).toArray();
    return !last?.event || comparePositions(position, fromEsdbPosition(last.event.position)) > 0;
  }

  /**
   * A forward read of $all starts at the position given, so the first record read is the event at
   * it, or the next one when the position is no event's. A server that refuses to read from a
   * position that is not a record's start answers with an error, which means the same here.
   */
  async hasEventAt(position: GlobalPosition): Promise<boolean> {
    const { commit, prepare } = position;
    if (!isReadablePosition(position)) return false;
    try {
      // Read to the end of the one-event page: leaving the stream early would leave its call open.
      const [first] = await this.client.readAll({ fromPosition: { commit, prepare }, maxCount: 1 }).toArray();
      const event = first?.event;
      return event !== undefined && !isSystemEvent(event) && comparePositions(fromEsdbPosition(event.position), position) === 0;
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
      return false;
    }
  }

  private setAside(event: EsdbRecordedEvent<EventType>, position: GlobalPosition, reason: string): void {
    if (!this.onSetAside || this.toldSetAside.has(event.id)) return;
    if (this.toldSetAside.size >= SET_ASIDE_MEMORY) this.toldSetAside.clear();
    this.toldSetAside.add(event.id);
    this.onSetAside({ id: event.id, streamId: event.streamId, type: event.type, position, reason });
  }

  /** The last event of this system's, reading $all backwards past the server's own system events and other clients' (set aside). */
  async headPosition(): Promise<GlobalPosition | null> {
    // Whole pages, read to their end: leaving a read early would leave its call open. The runner asks every few seconds, so the first page is small.
    for (const maxCount of [HEAD_FIRST_PAGE, MAX_READ_ALL_PAGE]) {
      const page = await this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount }).toArray();
      const ours = page.find(({ event }) => event !== undefined && !isSystemEvent(event) && foreignReason(event) === null);
      if (ours?.event) return fromEsdbPosition(ours.event.position);
      if (page.length < maxCount) return null;
    }
    return null;
  }

  /**
   * One subscription to `$all` (system events filtered out by the server) used as a wake-up: readers
   * still read from their own checkpoints, so that each keeps it in its own transaction. Closed with the store.
   */
  override watchAppends(listener: AppendListener): AppendWatch {
    const watch = watchEventStoreDBAppends(this.client, listener);
    this.watches.add(watch);
    return { mayLag: watch.mayLag, close: () => (this.watches.delete(watch), watch.close()) };
  }

  async ping(): Promise<void> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`EventStoreDB did not answer a ping within ${this.pingTimeoutMs} ms`)),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([read.toArray(), timeout]);
    } catch (error) {
      read.cancel().catch(() => undefined);
      read.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.watches].map((watch) => watch.close()));
    this.watches.clear();
    await this.client.dispose();
  }

  /** Appending nothing writes nothing: check the expectation against the stream as it is. */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const current = last?.revision ?? -1;
    checkExpectedRevision(streamId, expected, current);
    return { nextExpectedRevision: current, position: last?.position ?? { commit: -1n, prepare: -1n } };
  }

  private async positionOf(streamId: string, revision: number): Promise<GlobalPosition> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? NO_POSITION;
  }
}

/** The server takes any Guid but the empty one; the port's ids are UUIDs, so anything else is refused before it is sent. */
function assertEventIds(streamId: string, events: readonly NewEvent[]): void {
  const invalid = events.find((event) => typeof event.id !== 'string' || !UUID_TEXT.test(event.id) || event.id === NIL_UUID);
  if (invalid) throw new InvalidEventIdError(streamId, String(invalid.id));
}

/**
 * What an event counts against MaxAppendSize, in bytes: its JSON data and metadata as the client sends
 * them, chain included, and twice its type's length, as servers from KurrentDB 25 count it. 24.10
 * counts the data only (its `Event.SizeOnDisk` drops the rest through an operator-precedence slip), so
 * this is never less than what any server counts.
 */
function appendSize(event: NewEvent): number {
  const metadata = { ...event.metadata, [HASH_METADATA_KEY]: HASH_PLACEHOLDER, [PREVIOUS_HASH_METADATA_KEY]: HASH_PLACEHOLDER };
  return Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(metadata)) + event.type.length * 2;
}

/** A position the server can be asked to read from at all: any other makes it throw (Position.cs), or is negative. */
function isReadablePosition({ commit, prepare }: GlobalPosition): boolean {
  return prepare >= 0n && prepare <= commit && commit <= MAX_READABLE_POSITION;
}

/** The client passes this refusal through as a plain error with the gRPC code INVALID_ARGUMENT (3). */
function isInvalidPositionRefusal(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 3 && typeof message === 'string' && message.includes(INVALID_POSITION_DETAILS);
}

function assertNoChainKeys(streamId: string, events: readonly NewEvent[]): void {
  for (const event of events) {
    if (HASH_METADATA_KEY in event.metadata || PREVIOUS_HASH_METADATA_KEY in event.metadata) {
      throw new Error(
        `Event ${event.id} for stream ${streamId} uses a metadata key reserved for the hash chain ` +
          `(${HASH_METADATA_KEY}, ${PREVIOUS_HASH_METADATA_KEY})`,
      );
    }
  }
}

function fromEsdbPosition(position: Position | undefined): GlobalPosition {
  return position ? { commit: position.commit, prepare: position.prepare } : NO_POSITION;
}

function isSystemEvent(event: EsdbRecordedEvent): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** Why an event of $all is not one this system wrote; null when it is. */
function foreignReason(event: EsdbRecordedEvent<EventType>): string | null {
  if (!event.isJson || !isJsonObject(event.data)) return 'its data is not a JSON object';
  const metadata = event.metadata ?? {};
  if (!isJsonObject(metadata)) return 'its metadata is not a JSON object';
  if (typeof metadata[HASH_METADATA_KEY] !== 'string') return "it carries no hash chain of this system's";
  return null;
}

function toRecordedEvent(event: EsdbRecordedEvent<EventType>): RecordedEvent {
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(`Event ${event.id} in stream ${event.streamId} is not a JSON object; this store holds JSON events only`);
  }
  const stored = event.metadata ?? {};
  if (!isJsonObject(stored)) {
    throw new Error(`Event ${event.id} in stream ${event.streamId} has metadata that is not a JSON object`);
  }
  const { [HASH_METADATA_KEY]: hash, [PREVIOUS_HASH_METADATA_KEY]: previousHash, ...metadata } = stored;
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    hash: typeof hash === 'string' ? hash : '',
    previousHash: typeof previousHash === 'string' ? previousHash : null,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(event.position),
    recordedAt: event.created,
  };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
