import { getQueueToken } from '@nestjs/bullmq';
import type { FactoryProvider } from '@nestjs/common';
import { Clock } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import type { RecordedEvent } from '@mfh/event-store';
import {
  AcceptOperationJob,
  AdvanceTestClockJob,
  CompleteOrderJob,
  IssueInvoiceJob,
  JOBS,
  QUEUES,
  RenewalJob,
  StartBillingJob,
  SuspensionGraceJob,
} from '@mfh/messaging';
import type { LogConsumer } from '@mfh/read-models';
import type { JobsOptions, Queue } from 'bullmq';
import { LogConsumers } from '../projections/log-consumers';

/** What each queue a reactor feeds takes: its one job name and that job's data. */
interface ReactionJobs {
  [QUEUES.orders]: { name: typeof JOBS.completeOrder; data: CompleteOrderJob };
  [QUEUES.billing]: { name: typeof JOBS.startBilling; data: StartBillingJob };
  [QUEUES.operations]: { name: typeof JOBS.acceptOperation; data: AcceptOperationJob };
  [QUEUES.renewals]: { name: typeof JOBS.renewSubscription; data: RenewalJob };
  [QUEUES.suspensions]: { name: typeof JOBS.expireSuspension; data: SuspensionGraceJob };
  [QUEUES.testClocks]: { name: typeof JOBS.advanceTestClock; data: AdvanceTestClockJob };
  [QUEUES.invoices]: { name: typeof JOBS.issueInvoice; data: IssueInvoiceJob };
}

export type ReactionQueue = keyof ReactionJobs;

/** The job an event asks for; its id is always the event's, so a replayed batch adds no job twice. */
export type ReactionJob<Q extends ReactionQueue> = ReactionJobs[Q] & { opts?: Omit<JobsOptions, 'jobId'> };

/** What a reaction may read besides its event: the delays it schedules with. */
export interface ReactorContext {
  config: AppConfig;
  clock: Clock;
}

export interface ReactorDefinition<E extends RecordedEvent, Q extends ReactionQueue> {
  /** The checkpoint's name: renamed, the reactor would start over from the beginning of the log. */
  name: string;
  /** Which events it reacts to, typically `eventsOfType<SubscriptionEvent>()('BillingStarted', …)`. */
  handles: (event: RecordedEvent) => event is E;
  queue: Q;
  job: (event: E, context: ReactorContext) => ReactionJob<Q>;
}

/**
 * Only the events decided on the wall clock: a timer of a subscription on a test clock is due in that
 * clock's time, which only an advance moves, so the advance fires it (RunTestClockAdvance), not a delay.
 */
export function onWallClock<G extends (event: RecordedEvent) => boolean>(handles: G): G {
  return Object.assign((event: RecordedEvent) => handles(event) && event.metadata.testClockId === undefined, handles) as unknown as G;
}

/** The log consumer a definition describes, adding to `queue` the jobs its events ask for. */
export function reactorConsumer<E extends RecordedEvent, Q extends ReactionQueue>(
  definition: ReactorDefinition<E, Q>,
  queue: Pick<Queue, 'addBulk'>,
  context: ReactorContext,
): LogConsumer {
  return {
    name: definition.name,
    handles: definition.handles,
    async handle(_client, events) {
      const jobs = events.filter(definition.handles).map((event) => {
        const { name, data, opts } = definition.job(event, context);
        return { name, data, opts: { ...opts, jobId: event.id } };
      });
      if (jobs.length > 0) await queue.addBulk(jobs);
    },
  };
}

/**
 * A reactor as a provider of its feature module: it follows the global log from its own checkpoint
 * and turns the events it handles into jobs on one queue.
 */
export function reactor<E extends RecordedEvent, Q extends ReactionQueue>(definition: ReactorDefinition<E, Q>): FactoryProvider<LogConsumer> {
  return {
    provide: Symbol(`reactor ${definition.name}`),
    inject: [getQueueToken(definition.queue), AppConfig, Clock, LogConsumers],
    useFactory: (queue: Queue, config: AppConfig, clock: Clock, consumers: LogConsumers) => {
      const consumer = reactorConsumer(definition, queue, { config, clock });
      consumers.register(consumer);
      return consumer;
    },
  };
}
