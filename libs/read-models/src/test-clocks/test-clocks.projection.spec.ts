import type { TestClockEvent } from '@mfh/domain';
import { JsonObject, RecordedEvent } from '@mfh/event-store';
import { foldBatch } from '../projections/projection';
import type { TestClockRow } from './test-clock.row';
import { testClocksProjection } from './test-clocks.projection';

const ID = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';
const FROZEN = '2027-01-01T00:00:00.000Z';
const TARGET = '2027-04-01T00:00:00.000Z';
const WALL = '2025-06-01T12:00:00.000Z';

function recorded(events: readonly { type: string; data: object }[], streamId = `test-clock-${ID}`): RecordedEvent[] {
  return events.map((event, revision) => ({
    id: `10000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId,
    revision,
    position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
    type: event.type,
    data: event.data as JsonObject,
    metadata: { occurredAt: WALL },
    recordedAt: new Date(WALL),
    hash: 'h',
    previousHash: null,
  }));
}

function fold(events: readonly TestClockEvent[], batch = events.length): TestClockRow | undefined {
  const rows = new Map<string, TestClockRow>();
  const all = recorded(events);
  for (let i = 0; i < all.length; i += batch) foldBatch(testClocksProjection, rows, all.slice(i, i + batch));
  return rows.get(ID);
}

const created: TestClockEvent = { type: 'TestClockCreated', data: { testClockId: ID, name: 'A year of renewals', frozenTime: FROZEN, createdAt: WALL } };
const started: TestClockEvent = { type: 'TestClockAdvanceStarted', data: { from: FROZEN, to: TARGET, requestedAt: WALL } };
const reached = (frozenTime: string): TestClockEvent => ({ type: 'TestClockTimeReached', data: { frozenTime } });
const advanced: TestClockEvent = { type: 'TestClockAdvanced', data: { frozenTime: TARGET, completedAt: WALL } };

describe('test clocks projection', () => {
  it('lists a new clock ready at its frozen time', () => {
    expect(fold([created])).toEqual({ key: ID, revision: 0, name: 'A year of renewals', frozenTime: FROZEN, status: 'ready', advancingTo: null, createdAt: WALL });
  });

  it('shows an advance running towards its target, the clock still where it stood', () => {
    expect(fold([created, started])).toMatchObject({ revision: 1, status: 'advancing', advancingTo: TARGET, frozenTime: FROZEN });
  });

  it('moves the clock to each time reached on the way', () => {
    expect(fold([created, started, reached('2027-02-02T00:00:00.000Z')])).toMatchObject({
      revision: 2,
      status: 'advancing',
      advancingTo: TARGET,
      frozenTime: '2027-02-02T00:00:00.000Z',
    });
  });

  it('shows the clock ready at its target once advanced, its name and creation kept', () => {
    expect(fold([created, started, reached('2027-02-02T00:00:00.000Z'), advanced])).toEqual({
      key: ID,
      revision: 3,
      name: 'A year of renewals',
      frozenTime: TARGET,
      status: 'ready',
      advancingTo: null,
      createdAt: WALL,
    });
  });

  it('gives the same row however the log is batched, and replayed', () => {
    const events = [created, started, reached('2027-02-02T00:00:00.000Z'), advanced, started];
    const once = fold(events);
    expect(fold(events, 1)).toEqual(once);
    const rows = new Map<string, TestClockRow>();
    foldBatch(testClocksProjection, rows, recorded(events));
    foldBatch(testClocksProjection, rows, recorded(events));
    expect(rows.get(ID)).toEqual(once);
  });

  it('makes no row from an advance of a clock it never saw created', () => {
    expect(fold([started, advanced])).toBeUndefined();
  });

  it('ignores other events, and clock events outside a clock’s stream', () => {
    const renamed = recorded([{ type: 'SubscriptionRenamed', data: { friendlyName: 'x', previousFriendlyName: 'y' } }], `subscription-${ID}`);
    expect(foldBatch(testClocksProjection, new Map(), [...renamed, ...recorded([created], `customer-${ID}`)])).toEqual([]);
  });
});
