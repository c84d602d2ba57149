import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import type { SubscriptionResult } from '../subscription-result';
import { AnswerOperation } from './answer-operation.command';

const REJECTED = 'The publisher answered Failure.';

@CommandHandler(AnswerOperation)
export class AnswerOperationHandler implements ICommandHandler<AnswerOperation> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ publisherId, subscriptionId, operationId, answer, metadata }: AnswerOperation): Promise<SubscriptionResult> {
    const access = subscriptionOfPublisher(publisherId);
    const { status, planId, quantity } = answer;
    const command = (now: string): SubscriptionCommand => {
      const common = { operationId, now, answeredBy: 'Publisher' as const, planId, quantity };
      return status === 'Success' ? { type: 'AcceptOperation', data: common } : { type: 'RejectOperation', data: { ...common, reason: REJECTED } };
    };
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      access,
      commands: (_state, now) => command(now),
      metadata,
    });
    return { subscription: access(result.state), revision: result.revision, startedOperationId: null };
  }
}
