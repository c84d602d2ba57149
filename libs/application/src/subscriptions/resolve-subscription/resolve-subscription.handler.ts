import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ActivationCodes } from '@mfh/auth';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { ResolvedSubscription, resolvedSubscriptionView } from '@mfh/read-models';
import { ResolveSubscriptionErrors } from './resolve-subscription.errors';
import { ResolveSubscription } from './resolve-subscription.query';
import { StreamStates } from '../../stream-states';

/** 400 when the code is forged, altered or expired; 404 when its subscription does not exist; 403 when it is another publisher's. */
@QueryHandler(ResolveSubscription)
export class ResolveSubscriptionHandler implements IQueryHandler<ResolveSubscription> {
  constructor(
    private readonly states: StreamStates,
    private readonly codes: ActivationCodes,
  ) {}

  async execute({ publisherId, code }: ResolveSubscription): Promise<ResolvedSubscription> {
    const opened = await this.codes.open(code);
    if (!opened.ok) throw opened.reason === 'expired' ? ResolveSubscriptionErrors.expiredToken() : ResolveSubscriptionErrors.invalidToken();
    const { state } = await this.states.current(subscriptionStream(opened.grant.subscriptionId), subscriptionDecider);
    if (state.status === 'none') throw SubscriptionErrors.notFound();
    if (opened.grant.publisherId !== publisherId || state.publisherId !== publisherId) throw ResolveSubscriptionErrors.anotherPublisher();
    return resolvedSubscriptionView(state);
  }
}
