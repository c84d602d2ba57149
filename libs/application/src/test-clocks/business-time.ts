import { Injectable } from '@nestjs/common';
import { TestClockErrors, TestClockEvent, testClockStream, testClockTimeOf } from '@mfh/domain';
import { EventMetadata, EventStore } from '@mfh/event-store';

/**
 * What time it is for a decision. On the wall clock that is the time the command arrived
 * (`metadata.occurredAt`); for an aggregate on a test clock it is the clock's time, which only an
 * advance moves, and every event says which clock it was decided on (SPEC §14).
 */
@Injectable()
export class BusinessTime {
  constructor(private readonly store: EventStore) {}

  /** Where the clock stands now: its last event says (one read, so every process sees an advance at once). */
  async ofTestClock(testClockId: string): Promise<string> {
    const [last] = await this.store.readStream(testClockStream(testClockId), { direction: 'backwards', maxCount: 1 });
    if (!last) throw TestClockErrors.unknown(testClockId);
    return testClockTimeOf(last as unknown as TestClockEvent);
  }

  /**
   * The metadata a decision is appended with. `at` is the business time the caller already knows (a
   * timer's due time); otherwise a test clock's own time, or the wall time the command came with.
   */
  async stamp(metadata: EventMetadata, testClockId: string | null, at?: string): Promise<EventMetadata> {
    if (testClockId === null) return at === undefined ? metadata : { ...metadata, occurredAt: at };
    return { ...metadata, occurredAt: at ?? (await this.ofTestClock(testClockId)), testClockId };
  }
}
