import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@mfh/event-store';
import { LogVerification, SubscriptionsRepository, verifyLog } from '@mfh/read-models';
import { VerifyLog } from './verify-log.query';

@QueryHandler(VerifyLog)
export class VerifyLogHandler implements IQueryHandler<VerifyLog> {
  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  execute({ pageSize, onPage }: VerifyLog): Promise<LogVerification> {
    return verifyLog(this.store, this.subscriptions, { pageSize, onPage });
  }
}
