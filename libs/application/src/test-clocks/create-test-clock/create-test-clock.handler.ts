import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type ExistingTestClock, TestClockErrors, testClockStream, type TestClockCommand } from '@mfh/domain';
import { testClockDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { CreateTestClock } from './create-test-clock.command';

@CommandHandler(CreateTestClock)
export class CreateTestClockHandler implements ICommandHandler<CreateTestClock> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ name, frozenTime, idempotencyKey, metadata }: CreateTestClock): Promise<ExistingTestClock> {
    const testClockId = idempotencyKey ? derivedId('test-clock', metadata.actor, idempotencyKey) : randomUUID();
    const { state } = await this.executor.execute({
      stream: testClockStream(testClockId),
      decider: testClockDecider,
      commands: (_state, now): TestClockCommand => ({ type: 'CreateTestClock', data: { testClockId, name, frozenTime, now } }),
      metadata,
    });
    if (state.status === 'none') throw TestClockErrors.notFound();
    return state;
  }
}
