import { Injectable } from '@nestjs/common';
import { Command, Decider, DomainEvent } from '@mfh/domain';
import { decideAll } from '@mfh/domain/deciders';
import { BoundedCache, EventMetadata, EventStore, handleCommand, HandleCommandResult, KnownState, StreamRevision } from '@mfh/event-store';
import { KeyedMutex } from './keyed-mutex';

/** Streams whose folded state is kept between commands. */
const KNOWN_STREAMS = 10_000;

/** One load-decide-append: which stream, which decider, which domain commands, signed how. */
export interface Decision<State, C extends Command, E extends DomainEvent> {
  stream: string;
  decider: Decider<State, C, E>;
  /**
   * The domain commands, decided together (all or none), or how to build them from the current state
   * when they need what only the state names (the catalog entry of the subscription's plan).
   */
  commands: C | readonly C[] | ((state: State) => C | readonly C[]);
  /** Refuses before anything is decided: tenancy, so that another tenant's aggregate reads as not found. */
  access?: (state: State) => unknown;
  metadata: EventMetadata;
  /** The revision the caller saw (If-Match); a mismatch is a 412, never retried. */
  expectedRevision?: StreamRevision;
  /** Deterministic ids make a re-run of the same reaction an idempotent re-append. */
  eventId?: (index: number) => string;
}

const asList = <C>(commands: C | readonly C[]): readonly C[] => (Array.isArray(commands) ? (commands as readonly C[]) : [commands as C]);

/**
 * The one way commands reach the store, and only use-case handlers call it. Commands on one stream
 * queue up inside this process, so they never race each other; optimistic concurrency (the one retry
 * loop, in handleCommand) still guards against other processes. The state each command leaves is
 * kept, so the next command on that stream need not read it again.
 */
@Injectable()
export class CommandExecutor {
  private readonly mutex = new KeyedMutex();
  private readonly known = new BoundedCache<string, KnownState<unknown>>(KNOWN_STREAMS);

  constructor(private readonly store: EventStore) {}

  execute<State, C extends Command, E extends DomainEvent>(decision: Decision<State, C, E>): Promise<HandleCommandResult<State>> {
    const { stream, decider, commands, access } = decision;
    const decide = (state: State): E[] => {
      access?.(state);
      return decideAll(decider, asList(typeof commands === 'function' ? commands(state) : commands), state);
    };
    return this.mutex.run(stream, async () => {
      const known = this.known.get(stream) as KnownState<State> | undefined;
      try {
        const result = await handleCommand(this.store, stream, decider, decide, {
          metadata: decision.metadata,
          expectedRevision: decision.expectedRevision,
          eventId: decision.eventId,
          known,
        });
        if (result.revision >= 0) this.known.set(stream, { state: result.state, revision: result.revision });
        return result;
      } catch (error) {
        this.known.delete(stream);
        throw error;
      }
    });
  }
}
