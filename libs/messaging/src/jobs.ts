import type { RecordedEvent } from '@mfh/event-store';
import type { PublisherNotification, ReconciliationRequest } from '@mfh/read-models';

/** What a job that reacts to an event needs to sign the events it causes. */
export interface Reaction {
  /** The event that caused this job. */
  causationId: string;
  correlationId: string;
}

export function reactionTo(event: RecordedEvent): Reaction {
  return { causationId: event.id, correlationId: String(event.metadata.correlationId ?? event.id) };
}

/** On QUEUES.orders: finish an order the api left pending. */
export interface CompleteOrderJob {
  orderId: string;
  correlationId: string;
}

/** On QUEUES.billing: start billing if both conditions now hold. */
export interface StartBillingJob extends Reaction {
  subscriptionId: string;
}

/** On QUEUES.operations: accept an operation left unanswered. */
export interface AcceptOperationJob extends Reaction {
  subscriptionId: string;
  operationId: string;
}

/** On QUEUES.renewals: renew (or end) the term that ends on `termEnd`. */
export interface RenewalJob extends Reaction {
  subscriptionId: string;
  /** The last day of the term this job ends. */
  termEnd: string;
}

/** On QUEUES.billingCycles: start the billing cycle beginning on `cycleStart`. */
export interface BillingCycleJob extends Reaction {
  subscriptionId: string;
  /** The first day of the cycle this job starts. */
  cycleStart: string;
}

/** On QUEUES.suspensions: cancel the subscription if the suspension `suspensionOperationId` still holds at `graceEndsAt`. */
export interface SuspensionGraceJob extends Reaction {
  subscriptionId: string;
  suspensionOperationId: string;
  graceEndsAt: string;
}

/** On QUEUES.testClocks: carry the clock's started advance through to `ready`. */
export interface AdvanceTestClockJob extends Reaction {
  testClockId: string;
}

/** On QUEUES.invoices: issue the invoice once its period has ended and the close delay has passed. */
export interface IssueInvoiceJob extends Reaction {
  invoiceId: string;
  /** The last day of its billing period. */
  periodEnd: string;
}

/** On QUEUES.reconciliations: write the files of the export, as it was asked for (its job id is the export's). */
export interface ReconciliationJob {
  request: ReconciliationRequest;
}

/** On QUEUES.notifications: one notification to a publisher's webhook. */
export interface NotifyPublisherJob {
  /** The event that caused it; also the job id and the delivery's id in `notification_deliveries`. */
  deliveryId: string;
  subscriptionId: string;
  publisherId: string;
  operationId: string;
  payload: PublisherNotification;
  /** Set by the processor when an admin replays the dead-lettered job: the attempts made before. */
  attemptsOfEarlierRuns?: number;
}
