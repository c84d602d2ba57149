import type { AppConfig } from '@mfh/config';
import type { PublisherCallbackBody } from '@mfh/application';
import type { ConnectionOptions, DefaultJobOptions, WorkerOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import { derivedId } from '@mfh/event-store';

/** Every BullMQ queue, by name. Job ids come from event or message ids, never contain ':'. */
export const QUEUES = {
  /** Completes orders whose subscriptions were not all bought when the order was placed. */
  orders: 'orders',
  /** Signed publisher callbacks, queued by the api's receiver, applied by the worker. */
  callbacks: 'callbacks',
  /** Starts billing once licenses are assigned and fulfilment is confirmed. */
  billing: 'billing',
  /** Accepts an operation the publisher did not answer within its window. */
  operations: 'operations',
  /** Notifications to publishers' webhook URLs. */
  notifications: 'notifications',
  /** Renewals (or expiries) at the end of each term. */
  renewals: 'renewals',
  /** The later billing cycles of a term billed in several (a year billed monthly), each at its start. */
  billingCycles: 'billing-cycles',
  /** Cancels each suspended subscription whose grace ran out before it was reinstated. */
  suspensions: 'suspensions',
  /** Test clock advances (sandbox): each fires the clock's due timers in order. */
  testClocks: 'test-clocks',
  /** Issues each invoice once its month has ended and INVOICE_CLOSE_DELAY has passed. */
  invoices: 'invoices',
  /** Reconciliation exports partners asked for: the worker writes each one's files manifest. */
  reconciliations: 'reconciliations',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  completeOrder: 'complete-order',
  applyCallback: 'apply-callback',
  startBilling: 'start-billing',
  acceptOperation: 'accept-operation',
  notifyPublisher: 'notify-publisher',
  renewSubscription: 'renew-subscription',
  startBillingCycle: 'start-billing-cycle',
  expireSuspension: 'expire-suspension',
  advanceTestClock: 'advance-test-clock',
  issueInvoice: 'issue-invoice',
  exportReconciliation: 'export-reconciliation',
} as const;

/** A publisher's signed callback (SPEC §6): the job carries exactly what the use case applies. */
export type PublisherCallback = PublisherCallbackBody;

/** What the receiver queues on QUEUES.callbacks and the worker applies. */
export interface CallbackJob {
  publisherId: string;
  /** The Standard Webhooks `webhook-id`: the publisher keeps it across retries of one callback. */
  webhookId: string;
  /** `webhook-timestamp`, when the publisher signed it. */
  signedAt: string;
  receivedAt: string;
  correlationId: string;
  callback: PublisherCallback;
}

/**
 * One webhook-id of one publisher: BullMQ's deduplication id for its callbacks, so that only the
 * first body sent under it is ever queued.
 */
export const callbackDeduplicationId = (publisherId: string, webhookId: string): string => derivedId('callback', publisherId, webhookId);

/**
 * One job per (publisher, webhook-id, body): a redelivery of the same callback finds its job instead
 * of adding one, and the same webhook-id with another body is a different job id that the
 * deduplication id above turns away.
 */
export const callbackJobId = (publisherId: string, webhookId: string, rawBody: string): string =>
  derivedId('callback', publisherId, webhookId, createHash('sha256').update(rawBody).digest('base64url'));

/**
 * Stalled-job detection is throttled by a key shared by all workers of a queue, so every worker
 * must use the same interval, or recovery after a crash waits for the slowest one.
 */
export const WORKER_LOCKING: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
};

/**
 * Jobs one worker runs at once on a queue whose jobs each make one load-decide-append on one stream
 * (callbacks, billing, timers). BullMQ's default is one, which makes a queue's drain rate one store
 * round trip after another. Concurrent jobs on one stream stay safe: CommandExecutor queues them in
 * this process and optimistic concurrency (handleCommand's retry) guards against other processes,
 * and each job's event ids come from its cause. More than the store pool (DATABASE_POOL_SIZE) only
 * queues on the pool.
 */
export const COMMAND_JOB_CONCURRENCY = 16;

export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections, or blocking commands fail. */
export function bullConnection(config: AppConfig): ConnectionOptions {
  const url = new URL(config.REDIS_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
