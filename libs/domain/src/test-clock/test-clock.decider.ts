import type { Command, Decider, DomainEvent } from '../decider';
import { DomainError } from '../errors';
import { characters } from '../shared/text';

export const testClockStream = (testClockId: string): string => `test-clock-${testClockId}`;

const TEST_CLOCK_STREAM = /^test-clock-(.+)$/;

/** The clock a stream belongs to; null for any other stream. */
export const testClockIdOf = (streamId: string): string | null => TEST_CLOCK_STREAM.exec(streamId)?.[1] ?? null;

/** One advance may move a clock this far at most (Stripe's limit too): a year of monthly timers is still a short run. */
export const MAX_ADVANCE_YEARS = 2;

export type TestClockCreated = DomainEvent<'TestClockCreated', { testClockId: string; name: string; frozenTime: string; createdAt: string }>;
/** `from` is the clock's time when the advance was asked for; the clock then moves through each due timer to `to`. */
export type TestClockAdvanceStarted = DomainEvent<'TestClockAdvanceStarted', { from: string; to: string; requestedAt: string }>;
/** Mid-advance: the clock stands at the due time of the timers fired next. */
export type TestClockTimeReached = DomainEvent<'TestClockTimeReached', { frozenTime: string }>;
/** Every timer due up to `frozenTime` fired and its effects are applied. */
export type TestClockAdvanced = DomainEvent<'TestClockAdvanced', { frozenTime: string; completedAt: string }>;
export type TestClockEvent = TestClockCreated | TestClockAdvanceStarted | TestClockTimeReached | TestClockAdvanced;

export type CreateTestClock = Command<'CreateTestClock', { testClockId: string; name: string; frozenTime: string; now: string }>;
/** `now` is wall time: an advance is asked for, and finishes, in the real world. */
export type AdvanceTestClock = Command<'AdvanceTestClock', { to: string; now: string }>;
export type ReachTestClockTime = Command<'ReachTestClockTime', { frozenTime: string }>;
export type CompleteTestClockAdvance = Command<'CompleteTestClockAdvance', { now: string }>;
export type TestClockCommand = CreateTestClock | AdvanceTestClock | ReachTestClockTime | CompleteTestClockAdvance;

export type TestClockState =
  | { status: 'none' }
  | {
      status: 'ready' | 'advancing';
      id: string;
      name: string;
      frozenTime: string;
      advancingTo: string | null;
      createdAt: string;
      /** The time it was created at, so a resend of the creation is told from another body under the same key. */
      initialTime: string;
    };

export type ExistingTestClock = Exclude<TestClockState, { status: 'none' }>;

export const TestClockErrors = {
  notFound: () => new DomainError('test-clock-not-found', 'not-found', 'The test clock does not exist.'),
  unknown: (testClockId: string) =>
    new DomainError('unknown-test-clock', 'validation', `There is no test clock ${testClockId}.`, {}, 'testClockId'),
  invalidName: () => new DomainError('invalid-test-clock-name', 'validation', 'name must be 1 to 255 characters after trimming.', {}, 'name'),
  backwards: (frozenTime: string) =>
    new DomainError('test-clock-backwards', 'validation', `A test clock only moves forward: it stands at ${frozenTime}.`, { frozenTime }, 'frozenTime'),
  outOfRange: () =>
    new DomainError(
      'test-clock-time-out-of-range',
      'validation',
      `frozenTime must fall between ${EARLIEST} and ${LATEST}, so that every term and timer after it still has a date.`,
      {},
      'frozenTime',
    ),
  tooFar: () =>
    new DomainError('test-clock-advance-too-far', 'validation', `One advance moves a clock at most ${MAX_ADVANCE_YEARS} years.`, {}, 'frozenTime'),
  advancing: (to: string) =>
    new DomainError('test-clock-advancing', 'conflict', `The test clock is already advancing to ${to}; wait until it is ready.`, { advancingTo: to }),
  /** Ids only collide when they are derived from an Idempotency-Key that was reused for another body. */
  exists: () => new DomainError('idempotency-key-reused', 'unprocessable', 'This Idempotency-Key was already used to create a different test clock.'),
};

/** Room after the latest time for an advance's two years and the longest term, all inside what PostgreSQL dates hold. */
const EARLIEST = '1970-01-01T00:00:00.000Z';
const LATEST = '9990-12-31T23:59:59.999Z';

function iso(time: string): string {
  const at = Date.parse(time);
  if (Number.isNaN(at) || at < Date.parse(EARLIEST) || at > Date.parse(LATEST)) throw TestClockErrors.outOfRange();
  return new Date(at).toISOString();
}

function addYears(time: string, years: number): string {
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString();
}

function create({ data }: CreateTestClock, state: TestClockState): TestClockEvent[] {
  const name = data.name.trim();
  const length = characters(name);
  if (length < 1 || length > 255) throw TestClockErrors.invalidName();
  const frozenTime = iso(data.frozenTime);
  if (state.status !== 'none') {
    if (state.name === name && state.initialTime === frozenTime) return [];
    throw TestClockErrors.exists();
  }
  return [{ type: 'TestClockCreated', data: { testClockId: data.testClockId, name, frozenTime, createdAt: data.now } }];
}

function advance({ data }: AdvanceTestClock, state: TestClockState): TestClockEvent[] {
  if (state.status === 'none') throw TestClockErrors.notFound();
  if (state.status === 'advancing') throw TestClockErrors.advancing(state.advancingTo!);
  const to = iso(data.to);
  if (Date.parse(to) < Date.parse(state.frozenTime)) throw TestClockErrors.backwards(state.frozenTime);
  if (Date.parse(to) > Date.parse(addYears(state.frozenTime, MAX_ADVANCE_YEARS))) throw TestClockErrors.tooFar();
  return [{ type: 'TestClockAdvanceStarted', data: { from: state.frozenTime, to, requestedAt: data.now } }];
}

/** Only forward, only inside the advance: a re-run of a step already taken changes nothing. */
function reach({ data }: ReachTestClockTime, state: TestClockState): TestClockEvent[] {
  if (state.status === 'none') throw TestClockErrors.notFound();
  if (state.status !== 'advancing') return [];
  const frozenTime = iso(data.frozenTime);
  if (Date.parse(frozenTime) <= Date.parse(state.frozenTime) || Date.parse(frozenTime) > Date.parse(state.advancingTo!)) return [];
  return [{ type: 'TestClockTimeReached', data: { frozenTime } }];
}

function complete({ data }: CompleteTestClockAdvance, state: TestClockState): TestClockEvent[] {
  if (state.status === 'none') throw TestClockErrors.notFound();
  if (state.status !== 'advancing') return [];
  return [{ type: 'TestClockAdvanced', data: { frozenTime: state.advancingTo!, completedAt: data.now } }];
}

function decide(command: TestClockCommand, state: TestClockState): TestClockEvent[] {
  switch (command.type) {
    case 'CreateTestClock':
      return create(command, state);
    case 'AdvanceTestClock':
      return advance(command, state);
    case 'ReachTestClockTime':
      return reach(command, state);
    case 'CompleteTestClockAdvance':
      return complete(command, state);
  }
}

function evolve(state: TestClockState, event: TestClockEvent): TestClockState {
  if (event.type === 'TestClockCreated') {
    const { testClockId, name, frozenTime, createdAt } = event.data;
    return { status: 'ready', id: testClockId, name, frozenTime, advancingTo: null, createdAt, initialTime: frozenTime };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TestClockAdvanceStarted':
      return { ...state, status: 'advancing', advancingTo: event.data.to };
    case 'TestClockTimeReached':
      return { ...state, frozenTime: event.data.frozenTime };
    case 'TestClockAdvanced':
      return { ...state, status: 'ready', frozenTime: event.data.frozenTime, advancingTo: null };
  }
}

/**
 * A sandbox clock (SPEC §14): it stands still until advanced, and an advance walks it through each
 * due timer's time in order, so everything on it happens in the clock's time, not the wall's.
 */
export const testClockDecider: Decider<TestClockState, TestClockCommand, TestClockEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};

/** The clock's time as its last event states it: every event of the stream names where the clock stands. */
export function testClockTimeOf(event: TestClockEvent): string {
  switch (event.type) {
    case 'TestClockCreated':
    case 'TestClockTimeReached':
    case 'TestClockAdvanced':
      return event.data.frozenTime;
    case 'TestClockAdvanceStarted':
      return event.data.from;
  }
}
