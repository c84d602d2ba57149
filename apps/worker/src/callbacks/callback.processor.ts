import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Clock, CommandExecutor } from '@mfh/application';
import { derivedId } from '@mfh/event-store';
import { CallbackJob, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { Catalog } from '@mfh/config';
import { isDomainError, SubscriptionState, subscriptionDecider, subscriptionStream } from '@mfh/domain';
import { DuplicateEventIdError, EventMetadata } from '@mfh/event-store';
import { Job, UnrecoverableError } from 'bullmq';
import { commandFor, publisherActor } from './callback-commands';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

/**
 * What a job did. `no-change`: the subscription already was as the callback says (a re-run of a
 * callback applied before, or news the state already had). `already-applied`: this very callback's
 * events are stored, though the subscription has moved on since.
 */
export type CallbackOutcome = 'applied' | 'no-change' | 'already-applied';

/** Callbacks on different subscriptions apply in parallel; the executor queues those on one subscription. */
const CONCURRENCY = 16;

/** Refusals that no retry can change: only a replay after someone fixed the cause. */
const PERMANENT_KINDS = ['validation', 'rule', 'not-found', 'forbidden', 'unprocessable'];

/**
 * Applies publishers' callbacks as commands. Event ids derive from (publisher, webhook-id), so a
 * redelivered or re-run callback appends nothing new. What can never apply fails at once
 * (UnrecoverableError) and waits in the failed set with its reason; anything else is retried.
 */
@Processor(QUEUES.callbacks, { ...WORKER_LOCKING, concurrency: CONCURRENCY })
export class CallbackProcessor extends StoreAwareWorkerHost {
  private readonly logger = new Logger(CallbackProcessor.name);

  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
    private readonly catalog: Catalog,
  ) {
    super();
  }

  async handle(job: Job<CallbackJob>): Promise<CallbackOutcome> {
    const { publisherId, webhookId, callback, signedAt } = job.data;
    const command = commandFor(callback, signedAt);
    try {
      const result = await this.executor.execute(
        subscriptionStream(callback.subscriptionId),
        subscriptionDecider,
        (state) => subscriptionDecider.decide(command, this.publishersOwn(state, publisherId, callback.subscriptionId)),
        { metadata: this.metadata(job.data), eventId: (index) => derivedId('callback', publisherId, webhookId, index) },
      );
      return result.appended.length > 0 ? 'applied' : 'no-change';
    } catch (error) {
      if (error instanceof DuplicateEventIdError) return 'already-applied';
      if (error instanceof UnrecoverableError) throw this.deadLetter(job, error.message);
      if (isDomainError(error) && PERMANENT_KINDS.includes(error.kind)) throw this.deadLetter(job, `${error.code}: ${error.message}`);
      throw error;
    }
  }

  private publishersOwn(state: SubscriptionState, publisherId: string, subscriptionId: string): SubscriptionState {
    if (state.status === 'none') throw new UnrecoverableError(`unknown-subscription: there is no subscription ${subscriptionId}.`);
    if (state.publisherId !== publisherId) {
      throw new UnrecoverableError(`not-publishers-subscription: subscription ${subscriptionId} is not one of ${publisherId}'s offers.`);
    }
    return state;
  }

  private deadLetter(job: Job<CallbackJob>, reason: string): UnrecoverableError {
    this.logger.warn(`callback ${job.data.webhookId} (${job.data.callback.type}) from ${job.data.publisherId} cannot apply: ${reason}`);
    return new UnrecoverableError(reason);
  }

  private metadata(job: CallbackJob): EventMetadata {
    return {
      actor: publisherActor(this.catalog, job.publisherId),
      role: 'publisher',
      source: 'Publisher',
      correlationId: job.correlationId,
      causationId: job.webhookId,
      requestId: job.webhookId,
      occurredAt: this.clock.now().toISOString(),
    };
  }
}
