import { type TestClockEvent, testClockIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import type { TestClockRow } from './test-clock.row';
import { testClocksTable } from './test-clocks.repository';

export const testClockEvents = eventsOfType<TestClockEvent>()('TestClockCreated', 'TestClockAdvanceStarted', 'TestClockTimeReached', 'TestClockAdvanced');
export type TestClockRowEvent = GuardedEvent<typeof testClockEvents>;

export function evolveTestClockRow(row: TestClockRow | null, event: TestClockRowEvent): TestClockRow | null {
  if (event.type === 'TestClockCreated') {
    const { testClockId, name, frozenTime, createdAt } = event.data;
    return { key: testClockId, revision: event.revision, name, frozenTime, status: 'ready', advancingTo: null, createdAt };
  }
  if (row === null) return null;
  const revision = event.revision;
  switch (event.type) {
    case 'TestClockAdvanceStarted':
      return { ...row, revision, status: 'advancing', advancingTo: event.data.to };
    case 'TestClockTimeReached':
      return { ...row, revision, frozenTime: event.data.frozenTime };
    case 'TestClockAdvanced':
      return { ...row, revision, status: 'ready', frozenTime: event.data.frozenTime, advancingTo: null };
  }
}

/** Every test clock, for the admin's list. */
export const testClocksProjection: Projection<TestClockRow, TestClockRowEvent> = {
  name: 'test-clocks',
  tables: ['test_clocks'],
  canHandle: testClockEvents,
  keyOf: (event) => testClockIdOf(event.streamId),
  evolve: evolveTestClockRow,
  load: testClocksTable.load,
  save: testClocksTable.save,
};
