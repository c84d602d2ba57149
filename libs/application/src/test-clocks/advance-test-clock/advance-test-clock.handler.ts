import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type ExistingTestClock, TestClockErrors, testClockStream } from '@mfh/domain';
import { testClockDecider } from '@mfh/domain/deciders';
import { CommandExecutor } from '../../command-executor';
import { AdvanceTestClock } from './advance-test-clock.command';

@CommandHandler(AdvanceTestClock)
export class AdvanceTestClockHandler implements ICommandHandler<AdvanceTestClock> {
  constructor(private readonly executor: CommandExecutor) {}

  /** `now` here is wall time: the clock's own time is what the advance moves, not when it was asked for. */
  async execute({ testClockId, frozenTime, metadata }: AdvanceTestClock): Promise<ExistingTestClock> {
    const { state } = await this.executor.execute({
      stream: testClockStream(testClockId),
      decider: testClockDecider,
      commands: { type: 'AdvanceTestClock', data: { to: frozenTime, now: metadata.occurredAt } },
      metadata,
    });
    if (state.status === 'none') throw TestClockErrors.notFound();
    return state;
  }
}
