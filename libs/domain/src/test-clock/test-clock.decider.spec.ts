import { DeciderSpecification } from '@mfh/testing';
import {
  AdvanceTestClock,
  CompleteTestClockAdvance,
  CreateTestClock,
  ReachTestClockTime,
  TestClockAdvanced,
  TestClockAdvanceStarted,
  TestClockCreated,
  TestClockEvent,
  TestClockTimeReached,
  testClockDecider,
  testClockTimeOf,
} from './test-clock.decider';

const spec = DeciderSpecification.for(testClockDecider);

const CLOCK_ID = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';
const FROZEN = '2027-01-01T00:00:00.000Z';
const TARGET = '2027-04-01T00:00:00.000Z';
/** Wall time: when the clock was made, or an advance asked for and finished. */
const NOW = '2025-06-01T12:00:00.000Z';
const LATER = '2025-06-01T12:00:30.000Z';

const create = (overrides: Partial<CreateTestClock['data']> = {}): CreateTestClock => ({
  type: 'CreateTestClock',
  data: { testClockId: CLOCK_ID, name: 'A year of renewals', frozenTime: FROZEN, now: NOW, ...overrides },
});
const advance = (to: string, now = NOW): AdvanceTestClock => ({ type: 'AdvanceTestClock', data: { to, now } });
const reach = (frozenTime: string): ReachTestClockTime => ({ type: 'ReachTestClockTime', data: { frozenTime } });
const complete = (now = LATER): CompleteTestClockAdvance => ({ type: 'CompleteTestClockAdvance', data: { now } });

const created = (overrides: Partial<TestClockCreated['data']> = {}): TestClockCreated => ({
  type: 'TestClockCreated',
  data: { testClockId: CLOCK_ID, name: 'A year of renewals', frozenTime: FROZEN, createdAt: NOW, ...overrides },
});
const started = (to = TARGET, from = FROZEN): TestClockAdvanceStarted => ({ type: 'TestClockAdvanceStarted', data: { from, to, requestedAt: NOW } });
const reached = (frozenTime: string): TestClockTimeReached => ({ type: 'TestClockTimeReached', data: { frozenTime } });
const advanced = (frozenTime = TARGET): TestClockAdvanced => ({ type: 'TestClockAdvanced', data: { frozenTime, completedAt: LATER } });

describe('test clock decider', () => {
  describe('with no clock', () => {
    it('creates the clock standing at its frozen time, dated now', () => {
      spec.when(create()).then([created()]);
    });

    it('trims the name and writes the frozen time as a UTC instant', () => {
      spec.when(create({ name: '  A year of renewals\t', frozenTime: '2027-01-01T02:00:00+02:00' })).then([created()]);
    });

    it('counts characters, not UTF-16 units: 255 emoji are a name of 255 characters', () => {
      const name = '😀'.repeat(255);
      spec.when(create({ name })).then([created({ name })]);
    });

    it.each([
      ['empty', ''],
      ['whitespace only', '  \t '],
      ['256 characters', 'c'.repeat(256)],
    ])('refuses a name that is %s', (_case, name) => {
      spec.when(create({ name })).thenThrows('invalid-test-clock-name', 'validation');
    });

    it.each([
      ['an advance', advance(TARGET)],
      ['a time reached', reach(TARGET)],
      ['a completion', complete()],
    ])('finds no clock for %s', (_case, command) => {
      spec.when(command).thenThrows('test-clock-not-found', 'not-found');
    });
  });

  describe('ready', () => {
    const given = spec.given([created()]);

    it('treats the same creation again as a no-op, after trimming', () => {
      given.when(create()).thenNothing();
      given.when(create({ name: ' A year of renewals ', now: LATER })).thenNothing();
    });

    it('refuses a creation with another name on the same id', () => {
      given.when(create({ name: 'Trial ends' })).thenThrows('idempotency-key-reused', 'unprocessable');
    });

    it('refuses a time outside 1970 to 9990, where terms and timers after it could not be dated', () => {
      spec.when(create({ frozenTime: '1969-12-31T23:59:59.999Z' })).thenThrows('test-clock-time-out-of-range', 'validation');
      spec.when(create({ frozenTime: '9999-12-31T23:59:59-01:00' })).thenThrows('test-clock-time-out-of-range', 'validation');
      spec.when(create({ frozenTime: '1970-01-01T00:00:00.000Z' })).then([created({ frozenTime: '1970-01-01T00:00:00.000Z' })]);
      spec.given([created({ frozenTime: '9990-01-01T00:00:00.000Z' })]).when({ type: 'AdvanceTestClock', data: { to: '9991-01-01T00:00:00.000Z', now: NOW } })
        .thenThrows('test-clock-time-out-of-range', 'validation');
    });

    it('refuses a creation at another time on the same id, even once the clock has moved there', () => {
      given.when(create({ frozenTime: TARGET })).thenThrows('idempotency-key-reused', 'unprocessable');
      spec.given([created(), started(), advanced()]).when(create()).thenNothing();
      spec.given([created(), started(), advanced()]).when(create({ frozenTime: TARGET })).thenThrows('idempotency-key-reused', 'unprocessable');
    });

    it('validates the name before comparing with the existing clock', () => {
      given.when(create({ name: '' })).thenThrows('invalid-test-clock-name', 'validation');
    });

    it('starts an advance from where the clock stands, asked for at wall time, the target as a UTC instant', () => {
      given.when(advance('2027-04-01T02:00:00+02:00')).then([started()]);
    });

    it('starts an advance to the time it already stands at', () => {
      given.when(advance(FROZEN)).then([started(FROZEN)]);
    });

    it('refuses to go back, even by a millisecond, naming where it stands', () => {
      const error = given.when(advance('2026-12-31T23:59:59.999Z')).thenThrows('test-clock-backwards', 'validation');
      expect({ extensions: error.extensions, field: error.field }).toEqual({ extensions: { frozenTime: FROZEN }, field: 'frozenTime' });
    });

    it('moves two years in one advance, but not a millisecond more', () => {
      given.when(advance('2029-01-01T00:00:00.000Z')).then([started('2029-01-01T00:00:00.000Z')]);
      const error = given.when(advance('2029-01-01T00:00:00.001Z')).thenThrows('test-clock-advance-too-far', 'validation');
      expect(error.field).toBe('frozenTime');
    });

    it('measures the two years from where the clock stands after an earlier advance', () => {
      const after = spec.given([created(), started(), advanced()]);
      after.when(advance('2029-04-01T00:00:00.000Z')).then([started('2029-04-01T00:00:00.000Z', TARGET)]);
      after.when(advance('2029-04-01T00:00:00.001Z')).thenThrows('test-clock-advance-too-far', 'validation');
      after.when(advance('2027-03-31T23:59:59.999Z')).thenThrows('test-clock-backwards', 'validation');
    });

    it('reaches no time outside an advance', () => {
      given.when(reach('2027-02-01T00:00:00.000Z')).thenNothing();
    });

    it('has no advance to complete', () => {
      given.when(complete()).thenNothing();
    });
  });

  describe('advancing', () => {
    const given = spec.given([created(), started()]);

    it('refuses a second advance while one runs, naming where the running one goes', () => {
      const error = given.when(advance('2027-02-01T00:00:00.000Z')).thenThrows('test-clock-advancing', 'conflict');
      expect(error.extensions).toEqual({ advancingTo: TARGET });
    });

    it('treats the same creation again as a no-op', () => {
      given.when(create()).thenNothing();
    });

    it('reaches a due time inside the advance, written as a UTC instant', () => {
      given.when(reach('2027-02-02T01:00:00+01:00')).then([reached('2027-02-02T00:00:00.000Z')]);
    });

    it('reaches the target itself', () => {
      given.when(reach(TARGET)).then([reached(TARGET)]);
    });

    it.each([
      ['where it stands', FROZEN],
      ['before where it stands', '2026-12-31T00:00:00.000Z'],
      ['past the target', '2027-04-01T00:00:00.001Z'],
    ])('reaches nothing %s', (_case, time) => {
      given.when(reach(time)).thenNothing();
    });

    it('only forward: a step already taken, run again, changes nothing', () => {
      const midway = spec.given([created(), started(), reached('2027-02-02T00:00:00.000Z'), reached('2027-03-02T00:00:00.000Z')]);
      midway.when(reach('2027-02-02T00:00:00.000Z')).thenNothing();
      midway.when(reach('2027-03-02T00:00:00.000Z')).thenNothing();
      midway.when(reach('2027-03-02T00:00:00.001Z')).then([reached('2027-03-02T00:00:00.001Z')]);
    });

    it('completes at the target, dated now, wherever the last timer left it', () => {
      given.when(complete()).then([advanced()]);
      spec.given([created(), started(), reached('2027-02-02T00:00:00.000Z')]).when(complete()).then([advanced()]);
    });

    it('completes once: a completion run again finds the clock ready', () => {
      spec.given([created(), started(), advanced()]).when(complete()).thenNothing();
    });
  });

  describe('evolve', () => {
    const clock = { id: CLOCK_ID, name: 'A year of renewals', createdAt: NOW, initialTime: FROZEN };

    it('starts with no clock', () => {
      expect(spec.given([]).state()).toEqual({ status: 'none' });
    });

    it('makes TestClockCreated a ready clock at its frozen time', () => {
      expect(spec.given([created()]).state()).toEqual({ status: 'ready', ...clock, frozenTime: FROZEN, advancingTo: null });
    });

    it('keeps the clock where it stands when an advance starts, and names its target', () => {
      expect(spec.given([created(), started()]).state()).toEqual({ status: 'advancing', ...clock, frozenTime: FROZEN, advancingTo: TARGET });
    });

    it('moves the clock to each time reached, still advancing', () => {
      expect(spec.given([created(), started(), reached('2027-02-02T00:00:00.000Z')]).state()).toEqual({
        status: 'advancing',
        ...clock,
        frozenTime: '2027-02-02T00:00:00.000Z',
        advancingTo: TARGET,
      });
    });

    it('leaves the clock ready at the target once advanced', () => {
      expect(spec.given([created(), started(), reached('2027-02-02T00:00:00.000Z'), advanced()]).state()).toEqual({
        status: 'ready',
        ...clock,
        frozenTime: TARGET,
        advancingTo: null,
      });
    });

    it('is total: an event without a clock before it leaves none', () => {
      expect(spec.given([started(), reached(TARGET), advanced()]).state()).toEqual({ status: 'none' });
    });
  });

  describe('testClockTimeOf', () => {
    it.each<[string, TestClockEvent, string]>([
      ['creation: its frozen time', created(), FROZEN],
      ['an advance started: where it started from', started(), FROZEN],
      ['a time reached: that time', reached('2027-02-02T00:00:00.000Z'), '2027-02-02T00:00:00.000Z'],
      ['an advance completed: its target', advanced(), TARGET],
    ])('after %s', (_case, event, time) => {
      expect(testClockTimeOf(event)).toBe(time);
    });
  });
});
