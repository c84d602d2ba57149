import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { type TestClockEvent, testClockIdOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import { reactor } from '../reactors/reactor';

/** Every advance asked for gets one job that carries it through, whichever worker takes it. */
export const testClockReactor = reactor({
  name: 'reactor-test-clocks',
  handles: eventsOfType<TestClockEvent>()('TestClockAdvanceStarted'),
  queue: QUEUES.testClocks,
  job: (event) => ({
    name: JOBS.advanceTestClock,
    data: { testClockId: testClockIdOf(event.streamId)!, ...reactionTo(event) },
  }),
});
