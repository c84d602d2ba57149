import { Injectable } from '@nestjs/common';
import type { Decider, DomainEvent } from '@mfh/domain';
import { EventStore, handleCommand, HandleCommandOptions, HandleCommandResult } from '@mfh/event-store';
import { KeyedMutex } from './keyed-mutex';

type Evolver<State, E extends DomainEvent> = Pick<Decider<State, never, E>, 'evolve' | 'initialState'>;

/**
 * The one way commands reach the store. Commands on one stream queue up inside this process, so
 * they never race each other; optimistic concurrency still guards against other processes.
 */
@Injectable()
export class CommandExecutor {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly store: EventStore) {}

  execute<State, E extends DomainEvent>(
    streamId: string,
    decider: Evolver<State, E>,
    decide: (state: State) => readonly E[],
    options: HandleCommandOptions,
  ): Promise<HandleCommandResult<State>> {
    return this.mutex.run(streamId, () => handleCommand(this.store, streamId, decider, decide, options));
  }
}
