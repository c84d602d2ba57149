import type { BillingCycle, Cents, ExistingSubscription, OperationAction, PublisherAction, ScheduledNextTerm, TermDuration } from '@mfh/domain';
import type { ProjectionRow } from '../projections/projection';

/** An operation that waits for the publisher, as subscription lists show it. */
export interface PendingOperationRow {
  readonly id: string;
  readonly action: OperationAction;
  readonly quantity: number;
  readonly requestedAt: string;
}

/**
 * The charge lines recorded for one term (ChargeRecorded), by line id: a line seen again replaces
 * itself, so the sum is the same however often the log is replayed. A term holds a bounded number of
 * lines (a cycle charge per month, one line or two per seat or plan change), and a new term starts afresh.
 */
export interface TermCharges {
  readonly termStart: string;
  readonly amounts: Readonly<Record<string, Cents>>;
}

/**
 * A subscription as its lists need it: what the partner's and the publisher's views show, and the
 * tenant columns they are filtered on. `key` is the subscription id; the term dates are `YYYY-MM-DD`.
 */
export interface SubscriptionRow extends ProjectionRow {
  readonly partnerId: string;
  readonly customerId: string;
  readonly orderId: string;
  readonly lineItemNumber: number;
  readonly offerId: string;
  readonly offerName: string;
  readonly planId: string;
  readonly publisherId: string;
  readonly publisherName: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly status: ExistingSubscription['status'];
  readonly termDuration: TermDuration;
  readonly billingCycle: BillingCycle;
  readonly autoRenewEnabled: boolean;
  readonly indirectResellerId: string | null;
  readonly purchasedAt: string;
  readonly cancellationAllowedUntil: string;
  readonly licensesAssigned: boolean;
  readonly fulfillmentConfirmed: boolean;
  readonly action: PublisherAction | null;
  /** The first day billed; it stays when the term renews. */
  readonly billingStartDate: string | null;
  /** The current term, once billing has started. */
  readonly termStart: string | null;
  readonly termEnd: string | null;
  /** The first day of the billing cycle being billed: the term's first, or the last BillingCycleStarted's. */
  readonly cycleStart: string | null;
  /** What the charger recorded for the latest term it charged; null before its first line. */
  readonly termCharges: TermCharges | null;
  readonly pendingOperations: readonly PendingOperationRow[];
  /** In its free trial (bought as one, not converted yet). */
  readonly isTrial: boolean;
  /** Why it is suspended, while it is; null otherwise. */
  readonly suspensionReasons: readonly string[] | null;
  /** Sandbox: the test clock it lives on (SPEC §14). */
  readonly testClockId: string | null;
  /** The changes the next renewal applies, as scheduled; null when it renews as it is. */
  readonly scheduledNextTerm: ScheduledNextTerm | null;
}
