import { Injectable } from '@nestjs/common';
import type { Decider, DomainEvent } from '@mfh/domain';
import { BoundedCache, EventStore, handleCommand, HandleCommandOptions, HandleCommandResult, KnownState } from '@mfh/event-store';

import { KeyedMutex } from './keyed-mutex';

/** Streams whose folded state is kept between commands. */
const KNOWN_STREAMS = 10_000;

type Evolver<State, E extends DomainEvent> = Pick<Decider<State, never, E>, 'evolve' | 'initialState'>;

/**
 * The one way commands reach the store. Commands on one stream queue up inside this process, so
 * they never race each other; optimistic concurrency still guards against other processes. The
 * state each command leaves is kept, so the next command on that stream need not read it again.
 */
@Injectable()
export class CommandExecutor {
  private readonly mutex = new KeyedMutex();
  private readonly known = new BoundedCache<string, KnownState<unknown>>(KNOWN_STREAMS);

  constructor(private readonly store: EventStore) {}

  execute<State, E extends DomainEvent>(
    streamId: string,
    decider: Evolver<State, E>,
    decide: (state: State) => readonly E[],
    options: HandleCommandOptions,
  ): Promise<HandleCommandResult<State>> {
    return this.mutex.run(streamId, async () => {
      const known = this.known.get(streamId) as KnownState<State> | undefined;
      try {
        const result = await handleCommand(this.store, streamId, decider, decide, { ...options, known });
        if (result.revision >= 0) this.known.set(streamId, { state: result.state, revision: result.revision });
        return result;
      } catch (error) {
        this.known.delete(streamId);
        throw error;
      }
    });
  }
}
