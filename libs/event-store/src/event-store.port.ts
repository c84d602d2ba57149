import type { AppendListener, AppendWatch } from './log-wakeups';

/** Revision of an event inside its stream: the first event is 0. */
export type StreamRevision = number;

/** What the caller expects the stream to look like before an append. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

/**
 * A point in the global log. Both numbers are compared as a pair (commit first): EventStoreDB's
 * commit/prepare positions, PostgreSQL's (transaction id, global position), in memory (n, n).
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export type JsonObject = { [key: string]: unknown };

export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  /** A UUID; appending the same id again to the same stream is a no-op. */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: JsonObject;
}

export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject>
  extends NewEvent<Type, Data> {
  readonly streamId: string;
  readonly revision: StreamRevision;
  readonly position: GlobalPosition;
  readonly recordedAt: Date;
  /** SHA-256 (lower-case hex) over the event's canonical content and `previousHash`; see event-hash.ts. */
  readonly hash: string;
  /** The hash of the stream's event at `revision - 1`; null at revision 0. */
  readonly previousHash: string | null;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: StreamRevision;
  /** Global position of the last event written (or already present, for an idempotent re-append). */
  readonly position: GlobalPosition;
  /** Every event was already stored there (an idempotent re-append): nothing was written. */
  readonly alreadyStored?: true;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: StreamRevision;
  maxCount?: number;
}

/** A stream and the last revision its reader holds already (-1: none). */
export interface StreamTail {
  readonly streamId: string;
  readonly afterRevision: StreamRevision;
}

export interface ReadAllOptions {
  /** Exclusive: only events after this position. Omitted or null: from the beginning. */
  after?: GlobalPosition | null;
  maxCount?: number;
}

/** How long the global read has been held back, and by which session. */
export interface ReadHorizon {
  /** Seconds since the oldest append still in flight began; 0 when none is. */
  readonly ageSeconds: number;
  /** That append's session (on PostgreSQL: from pg_stat_activity); null when none is in flight. */
  readonly heldBy: { readonly pid: number; readonly transactionStart: Date | null; readonly applicationName: string | null } | null;
}

/**
 * The append-only log every state change goes to. One stream per aggregate; a global, ordered
 * log across all streams for projections and auditors. Adapters: PostgreSQL, EventStoreDB,
 * in-memory; all pass the shared contract suite.
 */
export abstract class EventStore {
  /** Appends atomically; throws {@link WrongExpectedVersionError} when the expectation fails. */
  abstract appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;

  /** The stream's events; an empty array when the stream does not exist. */
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * For each `{streamId, afterRevision}`, that stream's events after the revision (all of them after
   * -1), in one call: what a reader that already holds a stream's state up to a revision needs to be
   * current. Stores that can answer them together in one round trip do; the default reads each.
   */
  readStreamTails(tails: readonly StreamTail[]): Promise<RecordedEvent[][]> {
    return Promise.all(tails.map(({ streamId, afterRevision }) => this.readStream(streamId, { fromRevision: afterRevision + 1 })));
  }

  /**
   * Events of every stream in global order, strictly after `after`. Safe for catch-up readers:
   * an event is only returned once no event before it can still appear.
   */
  abstract readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * True when an event of the global read stands at exactly `position`: one that {@link readAll}
   * handed out, so that reading after it means something. False for a position between events,
   * past the last one, or beyond what the store can represent.
   */
  abstract hasEventAt(position: GlobalPosition): Promise<boolean>;

  /**
   * Where the last event appended so far stands, whether or not {@link readAll} hands it out yet
   * (on PostgreSQL it waits for older appends still in flight); null for an empty log. What a reader
   * waits for when it must see everything written before it asked.
   */
  abstract headPosition(): Promise<GlobalPosition | null>;

  /**
   * Tells `listener` whenever events may have been appended, so that readers of the global log need
   * not poll it; null when this store cannot (its readers poll). The watch reconnects by itself and
   * lives until closed. The default is null, for wrappers and stores that cannot tell.
   */
  watchAppends(_listener: AppendListener): AppendWatch | null {
    return null;
  }

  /**
   * What {@link readAll} waits for before it hands out newer events: the oldest append still in
   * flight. Null for stores whose global read waits for nothing (EventStoreDB, in memory).
   */
  readHorizon(): Promise<ReadHorizon | null> {
    return Promise.resolve(null);
  }

  /** Throws when the store cannot be reached. */
  abstract ping(): Promise<void>;

  abstract close(): Promise<void>;
}
