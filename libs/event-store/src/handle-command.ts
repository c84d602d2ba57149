import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '@mfh/domain';
import { WrongExpectedVersionError } from './event-store.errors';
import type { EventMetadata } from './event-metadata';
import type { EventStore, GlobalPosition, NewEvent, StreamRevision } from './event-store.port';

export interface HandleCommandOptions {
  metadata: EventMetadata;
  /**
   * The revision the caller saw (an `If-Match`). When set, a mismatch is reported at once as a
   * WrongExpectedVersionError and never retried: the caller decided on that version.
   */
  expectedRevision?: StreamRevision;
  /** Attempts on a concurrent append before giving up (default 8). */
  maxAttempts?: number;
  /** Deterministic ids make a re-run of the same reaction an idempotent re-append. */
  eventId?: (index: number) => string;
}

export interface HandleCommandResult<State> {
  state: State;
  /** The events this call appended: empty when the outcome already held. */
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

/**
 * Read, fold, decide, append at the read revision. A concurrent writer makes the append fail; then
 * the whole cycle runs again on the fresher state, a bounded number of times with jittered backoff.
 */
export async function handleCommand<State, E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Evolver<State, E>,
  decide: (state: State) => readonly E[],
  options: HandleCommandOptions,
): Promise<HandleCommandResult<State>> {
  const maxAttempts = options.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, streamId, decider);
    // Decide first: a refusal such as "not yours" (404) must not be masked by a stale-ETag answer.
    const decided = decide(state);
    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new WrongExpectedVersionError(streamId, options.expectedRevision, revision === -1 ? 'no_stream' : revision);
    }
    if (decided.length === 0) return { state, appended: [], revision, position: null };

    const appended: NewEvent[] = decided.map((event, index) => ({
      id: options.eventId?.(index) ?? randomUUID(),
      type: event.type,
      data: event.data as NewEvent['data'],
      metadata: options.metadata,
    }));
    try {
      const result = await store.appendToStream(streamId, appended, {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
      });
      return {
        state: decided.reduce(decider.evolve, state),
        appended,
        revision: result.nextExpectedRevision,
        position: result.position,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || options.expectedRevision !== undefined) throw error;
      if (attempt >= maxAttempts) throw new ConcurrencyRetriesExhaustedError(streamId, attempt);
      await backoff(attempt);
    }
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
