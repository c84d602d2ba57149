import { DomainError } from '@mfh/domain';
import type { Command, Decider, DomainErrorKind, DomainEvent } from '@mfh/domain';

/**
 * Given/when/then over a pure decider, in the spirit of emmett's DeciderSpecification:
 * `DeciderSpecification.for(decider).given(events).when(command).then(events)`.
 * `given` is folded through `evolve` from `initialState()`; nothing else is involved.
 */
export const DeciderSpecification = {
  for<State, C extends Command, E extends DomainEvent>(decider: Decider<State, C, E>) {
    const given = (events: readonly E[]) => ({
      when: (command: C) => outcome(decider, events, command),
      /** The state the given events fold into, for evolve specs. */
      state: (): State => events.reduce(decider.evolve, decider.initialState()),
    });
    return { given, when: (command: C) => given([]).when(command) };
  },
};

export interface DeciderOutcome<E> {
  /** decide returned exactly these events. */
  then(expected: readonly E[]): void;
  /** decide returned no events: the outcome already held. */
  thenNothing(): void;
  /** decide threw a DomainError with this code (and kind, when given); returns it for further asserts. */
  thenThrows(code: string, kind?: DomainErrorKind): DomainError;
}

function outcome<State, C extends Command, E extends DomainEvent>(
  decider: Decider<State, C, E>,
  given: readonly E[],
  command: C,
): DeciderOutcome<E> {
  const decide = (): E[] => decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
  return {
    then: (expected) => expect(decide()).toEqual(expected),
    thenNothing: () => expect(decide()).toEqual([]),
    thenThrows: (code, kind) => {
      let produced: E[];
      try {
        produced = decide();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        expect({ code: error.code, kind: error.kind }).toEqual({ code, kind: kind ?? error.kind });
        return error;
      }
      throw new Error(`Expected ${command.type} to throw ${code}, but it decided ${JSON.stringify(produced)}`);
    },
  };
}
