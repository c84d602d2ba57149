import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApplyPublisherCallback, CallbackOutcome, Clock } from '@mfh/application';
import { Catalog } from '@mfh/config';
import { isDomainError } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import { CallbackJob, COMMAND_JOB_CONCURRENCY, QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { Job, UnrecoverableError } from 'bullmq';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

/** Refusals that no retry can change: only a replay after someone fixed the cause. */
const PERMANENT_KINDS = ['validation', 'rule', 'not-found', 'forbidden', 'unprocessable'];

/** Who the events of a publisher's callback are attributed to: its API client, as if it had called the API. */
export function publisherActor(catalog: Catalog, publisherId: string): string {
  const client = catalog.file.clients.find((c) => c.role === 'publisher' && c.tenantId === publisherId);
  return client?.clientId ?? `publisher:${publisherId}`;
}

/**
 * Applies publishers' callbacks. What can never apply fails at once (UnrecoverableError) and waits
 * in the failed set with its reason; anything else is retried.
 */
@Processor(QUEUES.callbacks, { ...WORKER_LOCKING, concurrency: COMMAND_JOB_CONCURRENCY })
export class CallbackProcessor extends StoreAwareWorkerHost {
  private readonly logger = new Logger(CallbackProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly catalog: Catalog,
  ) {
    super();
  }

  async handle(job: Job<CallbackJob>): Promise<CallbackOutcome> {
    const { publisherId, webhookId, callback, signedAt } = job.data;
    try {
      return await this.commands.execute(new ApplyPublisherCallback(publisherId, webhookId, callback, signedAt, this.metadata(job.data)));
    } catch (error) {
      if (isDomainError(error) && PERMANENT_KINDS.includes(error.kind)) throw this.deadLetter(job, `${error.code}: ${error.message}`);
      throw error;
    }
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
