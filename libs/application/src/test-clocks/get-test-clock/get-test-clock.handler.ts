import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type ExistingTestClock, TestClockErrors, testClockStream } from '@mfh/domain';
import { testClockDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { GetTestClock } from './get-test-clock.query';

@QueryHandler(GetTestClock)
export class GetTestClockHandler implements IQueryHandler<GetTestClock> {
  constructor(private readonly store: EventStore) {}

  async execute({ testClockId }: GetTestClock): Promise<ExistingTestClock> {
    const { state } = await loadState(this.store, testClockStream(testClockId.toLowerCase()), testClockDecider);
    if (state.status === 'none') throw TestClockErrors.notFound();
    return state;
  }
}
