import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import type {
  AppendExpectedRevision,
  EventType,
  Position,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { checkExpectedRevision } from '../append-rules';
import { WrongExpectedVersionError } from '../event-store.errors';
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
} from '../event-store.port';
import { comparePositions } from '../global-position';

export interface EventStoreDBEventStoreOptions {
  /** How long {@link EventStoreDBEventStore.ping} waits for the server; default 5 000 ms. */
  readonly pingTimeoutMs?: number;
}

const DEFAULT_READ_ALL_COUNT = 1000;
const MIN_READ_ALL_PAGE = 100;
const MAX_READ_ALL_PAGE = 4096;
/** What the server reports for a position it does not know (2^64 - 1), e.g. for stream reads on older servers. */
const NO_POSITION: GlobalPosition = Object.freeze({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n });

/**
 * The {@link EventStore} port on EventStoreDB (or KurrentDB) through `@eventstore/db-client`.
 * Events are stored as JSON with their metadata; `readAll` hides system streams and system events
 * (anything whose stream id or type starts with `$`).
 */
export class EventStoreDBEventStore extends EventStore {
  private readonly pingTimeoutMs: number;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDBEventStoreOptions = {},
  ) {
    super();
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  }

  /** From a connection string such as `esdb://localhost:2113?tls=false`; connects on first use. */
  static connect(connectionString: string, options?: EventStoreDBEventStoreOptions): EventStoreDBEventStore {
    return new EventStoreDBEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    if (events.length === 0) return this.appendNothing(streamId, expected);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata })),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
      const revision = Number(result.nextExpectedRevision);
      // Only reachable when the connection string sets throwOnAppendFailure=false.
      if (!result.success) throw new WrongExpectedVersionError(streamId, expected, revision < 0 ? 'no_stream' : revision);
      // Older servers answer an idempotent re-append without a position.
      const position = result.position ? fromEsdbPosition(result.position) : await this.positionOf(streamId, revision);
      return { nextExpectedRevision: revision, position };
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion);
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
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
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
    if (maxCount <= 0) return [];
    let after = options.after && options.after.commit >= 0n ? options.after : null;
    const events: RecordedEvent[] = [];

    for (;;) {
      // The server starts a forward read AT the position given, so ask for one more and drop it; system
      // events are filtered here (this client version reads $all unfiltered), so pages are never tiny.
      const page = Math.min(Math.max(maxCount - events.length + 1, MIN_READ_ALL_PAGE), MAX_READ_ALL_PAGE);
      let received = 0;
      for await (const resolved of this.client.readAll({ fromPosition: after ?? START, maxCount: page })) {
        received += 1;
        const event = resolved.event;
        if (!event) continue;
        const position = fromEsdbPosition(event.position);
        if (after && comparePositions(position, after) <= 0) continue;
        after = position;
        if (events.length < maxCount && !isSystemEvent(event)) events.push(toRecordedEvent(event));
      }
      if (received < page || events.length >= maxCount) return events;
    }
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

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function fromEsdbPosition(position: Position | undefined): GlobalPosition {
  return position ? { commit: position.commit, prepare: position.prepare } : NO_POSITION;
}

function isSystemEvent(event: EsdbRecordedEvent): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

function toRecordedEvent(event: EsdbRecordedEvent<EventType>): RecordedEvent {
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(`Event ${event.id} in stream ${event.streamId} is not a JSON object; this store holds JSON events only`);
  }
  const metadata = event.metadata ?? {};
  if (!isJsonObject(metadata)) {
    throw new Error(`Event ${event.id} in stream ${event.streamId} has metadata that is not a JSON object`);
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromEsdbPosition(event.position),
    recordedAt: event.created,
  };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
