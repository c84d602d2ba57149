import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '@mfh/domain';
import { CONFLICT_BACKOFF } from './append-rules';
import { pause } from './backoff';
import { WrongExpectedVersionError } from './event-store.errors';
import type { EventMetadata } from './event-metadata';
import type { EventStore, GlobalPosition, NewEvent, StreamRevision } from './event-store.port';

export interface HandleCommandOptions<State = unknown, E extends DomainEvent = DomainEvent> {
  /** The appended events' metadata, or how to make it for the state decided on (its business time may depend on it). */
  metadata: EventMetadata | ((state: State) => EventMetadata | Promise<EventMetadata>);
  /**
   * The revision the caller saw (an `If-Match`). When set, a mismatch is reported at once as a
   * WrongExpectedVersionError and never retried: the caller decided on that version.
   */
  expectedRevision?: StreamRevision;
  /** Attempts on a concurrent append before giving up (default 8). */
  maxAttempts?: number;
  /**
   * Deterministic ids make a re-run of the same reaction an idempotent re-append: from the decided
   * event's index, or from the event itself when the decider may leave out some of what it was given.
   */
  eventId?: (index: number, event: E) => string;
}

export interface HandleCommandResult<State> {
  state: State;
  /**
   * The events this call appended: empty when the outcome already held, or when another writer had
   * already stored these very events (same ids: a reaction run twice at once).
   */
  appended: NewEvent[];
  /** The stream's last revision after the call; -1 when the stream does not exist. */
  revision: StreamRevision;
  position: GlobalPosition | null;
}

/** Thrown when every attempt lost the race to another writer. */
export class ConcurrencyRetriesExhaustedError extends Error {
  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`Stream ${streamId} kept changing under ${attempts} attempts`);
    this.name = 'ConcurrencyRetriesExhaustedError';
  }
}

type Evolver<State, E extends DomainEvent> = Pick<Decider<State, never, E>, 'evolve' | 'initialState'>;

/** Folds a stream's stored events into state; events the decider does not know leave it unchanged. */
export async function loadState<State, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Evolver<State, E>,
): Promise<{ state: State; revision: StreamRevision }> {
  const events = await store.readStream(streamId);
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event as unknown as E);
  return { state, revision: events.length === 0 ? -1 : events[events.length - 1].revision };
}

/** A stream's state as this process last saw it. */
export interface KnownState<State> {
  state: State;
  revision: StreamRevision;
}

/**
 * Read, fold, decide, append at the read revision. A concurrent writer makes the append fail; then
 * the whole cycle runs again on the fresher state, a bounded number of times with jittered backoff.
 *
 * With `known`, the first attempt decides on that state without reading the stream. If it was stale,
 * the append conflicts and the next attempt reads; any outcome that the stale state alone could have
 * produced (a refusal, a no-op, a stale If-Match) is re-checked on a fresh read before it is reported.
 */
export async function handleCommand<State, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Evolver<State, E>,
  decide: (state: State, metadata: EventMetadata) => readonly E[],
  options: HandleCommandOptions<State, E> & { known?: KnownState<State> },
): Promise<HandleCommandResult<State>> {
  const maxAttempts = options.maxAttempts ?? 8;
  let known = options.known;
  for (let attempt = 1; ; attempt++) {
    const assumed = known !== undefined;
    const { state, revision } = known ?? (await loadState(store, streamId, decider));
    known = undefined;
    let decided: readonly E[];
    let metadata: EventMetadata;
    try {
      metadata = typeof options.metadata === 'function' ? await options.metadata(state) : options.metadata;
      // Decide first: a refusal such as "not yours" (404) must not be masked by a stale-ETag answer.
      decided = decide(state, metadata);
    } catch (error) {
      if (assumed) continue;
      throw error;
    }
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      if (assumed) continue;
      throw new WrongExpectedVersionError(streamId, options.expectedRevision, revision === -1 ? 'no_stream' : revision);
    }
    if (decided.length === 0) {
      if (assumed) continue;
      return { state, appended: [], revision, position: null };
    }

    const appended: NewEvent[] = decided.map((event, index) => ({
      id: options.eventId?.(index, event) ?? randomUUID(),
      type: event.type,
      data: event.data as NewEvent['data'],
      metadata,
    }));
    try {
      const result = await store.appendToStream(streamId, appended, {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
      });
      return {
        state: decided.reduce(decider.evolve, state),
        appended: result.alreadyStored ? [] : appended,
        revision: result.nextExpectedRevision,
        position: result.position,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (assumed) continue;
      if (options.expectedRevision !== undefined) throw error;
      if (attempt >= maxAttempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
      await pause(attempt, CONFLICT_BACKOFF);
    }
  }
}
