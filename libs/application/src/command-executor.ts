import { Injectable } from '@nestjs/common';
import { Command, Decider, DomainEvent } from '@mfh/domain';
import { decideAll } from '@mfh/domain/deciders';
import { EventMetadata, EventStore, handleCommand, HandleCommandResult, StreamRevision } from '@mfh/event-store';
import { KeyedMutex } from './keyed-mutex';
import { StreamStates } from './stream-states';
import { BusinessTime } from './test-clocks/business-time';

/** One load-decide-append: which stream, which decider, which domain commands, signed how. */
export interface Decision<State, C extends Command, E extends DomainEvent> {
  stream: string;
  decider: Decider<State, C, E>;
  /**
   * The domain commands, decided together (all or none), or how to build them from the current state
   * when they need what only the state names (the catalog entry of the subscription's plan) or the
   * business time they are decided at (`now`: the wall time the command came with, or its test clock's).
   */
  commands: C | readonly C[] | ((state: State, now: string) => C | readonly C[]);
  /** Refuses before anything is decided: tenancy, so that another tenant's aggregate reads as not found. */
  access?: (state: State) => unknown;
  metadata: EventMetadata;
  /** The revision the caller saw (If-Match); a mismatch is a 412, never retried. */
  expectedRevision?: StreamRevision;
  /** Deterministic ids make a re-run of the same reaction an idempotent re-append; `event` is the decided one. */
  eventId?: (index: number, event: E) => string;
  /** The test clock of an aggregate the command creates, which its state cannot name yet. */
  testClockId?: string | null;
  /** The business time the decision happens at, when the caller knows it: a timer fired at its due time. */
  at?: string;
}

const asList = <C>(commands: C | readonly C[]): readonly C[] => (Array.isArray(commands) ? (commands as readonly C[]) : [commands as C]);

/**
 * The one way commands reach the store, and only use-case handlers call it. Commands on one stream
 * queue up inside this process, so they never race each other; optimistic concurrency (the one retry
 * loop, in handleCommand) still guards against other processes. The state each command leaves is
 * kept (StreamStates, shared with the reads), so the next command on that stream need not read it again.
 */
@Injectable()
export class CommandExecutor {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly time: BusinessTime = new BusinessTime(store),
    private readonly states: StreamStates = new StreamStates(store),
  ) {}

  execute<State, C extends Command, E extends DomainEvent>(decision: Decision<State, C, E>): Promise<HandleCommandResult<State>> {
    const { stream, decider, commands, access } = decision;
    const decide = (state: State, metadata: EventMetadata): E[] => {
      access?.(state);
      return decideAll(decider, asList(typeof commands === 'function' ? commands(state, metadata.occurredAt) : commands), state);
    };
    const metadata = (state: State): Promise<EventMetadata> =>
      this.time.stamp(decision.metadata, decider.testClockOf?.(state) ?? decision.testClockId ?? null, decision.at);
    return this.mutex.run(stream, async () => {
      const known = this.states.known(stream, decider);
      try {
        const result = await handleCommand(this.store, stream, decider, decide, {
          metadata,
          expectedRevision: decision.expectedRevision,
          eventId: decision.eventId,
          known,
        });
        this.states.remember(stream, decider, { state: result.state, revision: result.revision });
        return result;
      } catch (error) {
        this.states.forget(stream);
        throw error;
      }
    });
  }
}
