import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream, type SubscriptionCommand } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { randomUUID } from 'node:crypto';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import { WaitingOperationResult, waitingOperationResult } from '../change-saas-subscription/waiting-operation';
import { RequestCancellation } from './request-cancellation.command';

@CommandHandler(RequestCancellation)
export class RequestCancellationHandler implements ICommandHandler<RequestCancellation> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ publisherId, subscriptionId, metadata }: RequestCancellation): Promise<WaitingOperationResult> {
    const access = subscriptionOfPublisher(publisherId);
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      access,
      commands: (_state, now): SubscriptionCommand => ({ type: 'RequestCancellation', data: { requestedBy: 'Publisher', operationId: randomUUID(), now } }),
      metadata,
    });
    return waitingOperationResult(access(result.state), result);
  }
}
