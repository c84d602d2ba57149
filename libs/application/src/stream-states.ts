import { Injectable } from '@nestjs/common';
import type DataLoader from 'dataloader';
import type { Decider, DomainEvent } from '@mfh/domain';
import { batchedLoader, BoundedCache, EventStore, KnownState, RecordedEvent, StreamTail } from '@mfh/event-store';

/** Streams whose folded state is kept between requests. */
const KEPT_STREAMS = 10_000;

type Evolver<State, E extends DomainEvent> = Pick<Decider<State, never, E>, 'evolve' | 'initialState'>;

interface Held {
  evolver: unknown;
  known: KnownState<unknown>;
}

/**
 * The states of streams, kept between requests and brought up to date on every read by the events
 * appended since the revision kept, whichever process appended them: a read after another api's
 * 2xx shows that write, and costs a look for new events instead of a replay of the whole stream.
 * The looks of concurrent reads go to the store together (batchedLoader), each batch sent after
 * every read in it began.
 */
@Injectable()
export class StreamStates {
  private readonly held = new BoundedCache<string, Held>(KEPT_STREAMS);
  private readonly tails: DataLoader<StreamTail, RecordedEvent[]>;

  constructor(store: EventStore) {
    this.tails = batchedLoader((tails) => store.readStreamTails(tails));
  }

  /** The stream's state with every event appended before this call; revision -1 when it has none. */
  async current<State, E extends DomainEvent>(streamId: string, evolver: Evolver<State, E>): Promise<KnownState<State>> {
    const kept = this.known(streamId, evolver);
    const events = await this.tails.load({ streamId, afterRevision: kept?.revision ?? -1 });
    if (events.length === 0) return kept ?? { state: evolver.initialState(), revision: -1 };
    let state = kept?.state ?? evolver.initialState();
    for (const event of events) state = evolver.evolve(state, event as unknown as E);
    const current = { state, revision: events[events.length - 1].revision };
    this.remember(streamId, evolver, current);
    return current;
  }

  /** The state last seen here, without asking the store: possibly stale, for a command's optimistic first try. */
  known<State, E extends DomainEvent>(streamId: string, evolver: Evolver<State, E>): KnownState<State> | undefined {
    const held = this.held.get(streamId);
    return held?.evolver === evolver ? (held.known as KnownState<State>) : undefined;
  }

  /** Keeps `known` unless a later revision is kept already (reads and commands finish in any order). */
  remember<State, E extends DomainEvent>(streamId: string, evolver: Evolver<State, E>, known: KnownState<State>): void {
    if (known.revision < 0) return;
    const held = this.held.get(streamId);
    if (held?.evolver === evolver && held.known.revision >= known.revision) return;
    this.held.set(streamId, { evolver, known });
  }

  forget(streamId: string): void {
    this.held.delete(streamId);
  }
}
