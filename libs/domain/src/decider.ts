/** An event as the domain knows it: the stored type and its data. Metadata is the command path's concern. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Command<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * Pure decision logic of one aggregate. `decide` returns the events a command causes (none when its
 * outcome already holds) or throws a DomainError; `evolve` is total and never throws.
 */
export interface Decider<State, C extends Command, E extends DomainEvent> {
  decide(command: C, state: State): E[];
  evolve(state: State, event: E): State;
  initialState(): State;
  /**
   * The sandbox clock the aggregate lives on (SPEC §14), null on the wall clock: the command path
   * decides its commands at that clock's time. Absent for aggregates that are never on one.
   */
  testClockOf?(state: State): string | null;
}

/** Runs commands one after another against the state each leaves, all or nothing. */
export function decideAll<State, C extends Command, E extends DomainEvent>(
  decider: Decider<State, C, E>,
  commands: readonly C[],
  state: State,
): E[] {
  const events: E[] = [];
  let current = state;
  for (const command of commands) {
    const produced = decider.decide(command, current);
    current = produced.reduce(decider.evolve, current);
    events.push(...produced);
  }
  return events;
}
