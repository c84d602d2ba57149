import type { DomainEvent } from '../decider';
import type { TermDuration } from '../shared/time';

export type BillingCycle = 'monthly' | 'annual' | 'upfront';
export const BILLING_CYCLES: readonly BillingCycle[] = ['monthly', 'annual', 'upfront'];

/** Who asked for a change: the reseller partner, the publisher through the fulfillment API, or this system. */
export type Requester = 'Partner' | 'Publisher' | 'System';

/** The operations of the SaaS Fulfillment API this system starts (Microsoft's OperationActionEnum, in part). */
export type OperationAction = 'ChangeQuantity' | 'ChangePlan' | 'Unsubscribe' | 'Renew' | 'Suspend' | 'Reinstate';

/** Why a subscription is suspended (Partner Center's `suspensionReasons`). */
export type SuspensionReason = 'nonpayment' | 'fraud' | 'other';
export const SUSPENSION_REASONS: readonly SuspensionReason[] = ['nonpayment', 'fraud', 'other'];

/** How long a free trial lasts: the catalog offers only one-month trials, as Microsoft's marketplace does. */
export const FREE_TRIAL_DURATION = 'P1M' satisfies TermDuration;

/** Why a subscription ended other than by someone's cancellation. */
export type CancellationCause = 'SuspensionGraceExpired';

/** Operations a publisher's open action can block. */
export type BlockableOperation = 'cancel' | 'changeSeats' | 'rename' | 'changeAutoRenew' | 'changeIndirectReseller';
export const BLOCKABLE_OPERATIONS: readonly BlockableOperation[] = [
  'cancel',
  'changeSeats',
  'rename',
  'changeAutoRenew',
  'changeIndirectReseller',
];

export interface SubscriptionPurchasedData {
  subscriptionId: string;
  customerId: string;
  /** The reseller partner that bought it and owns it. */
  partnerId: string;
  orderId: string;
  lineItemNumber: number;
  offerId: string;
  offerName: string;
  planId: string;
  publisherId: string;
  publisherName: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  friendlyName: string;
  /** The indirect reseller's MPN ID, when bought through one. */
  indirectResellerId: string | null;
  autoRenewEnabled: boolean;
  /** Price per seat per term, locked at purchase. */
  unitPrice: string;
  currency: string;
  purchasedAt: string;
  cancellationAllowedUntil: string;
  /** Only when bought for a customer on a test clock (SPEC §14). */
  testClockId?: string;
  /**
   * Only for a plan with a free trial: its first term lasts `duration` and costs nothing, then it
   * converts to the paid term above (`termDuration`, `billingCycle`, `unitPrice`) unless auto-renew is off.
   */
  freeTrial?: { duration: TermDuration };
}

export type SubscriptionPurchased = DomainEvent<'SubscriptionPurchased', SubscriptionPurchasedData>;
export type SubscriptionRenamed = DomainEvent<'SubscriptionRenamed', { friendlyName: string; previousFriendlyName: string }>;
export type SeatsChanged = DomainEvent<
  'SeatsChanged',
  { quantity: number; previousQuantity: number; operationId: string | null; changedAt: string }
>;
export type SeatChangeRequested = DomainEvent<
  'SeatChangeRequested',
  { operationId: string; quantity: number; previousQuantity: number; requestedBy: Requester; requestedAt: string }
>;
export type SeatChangeRejected = DomainEvent<
  'SeatChangeRejected',
  { operationId: string; quantity: number; reason: string | null; rejectedAt: string }
>;
export type PlanChangeRequested = DomainEvent<
  'PlanChangeRequested',
  {
    operationId: string;
    planId: string;
    previousPlanId: string;
    requestedBy: Requester;
    requestedAt: string;
    /** The new plan's price per seat per term (the subscription's term and currency), locked when the change is decided. */
    unitPrice?: string;
  }
>;
/** `unitPrice`: the new plan's, from its request; absent (older events) when the price did not change. */
export type PlanChanged = DomainEvent<
  'PlanChanged',
  { planId: string; previousPlanId: string; operationId: string; changedAt: string; unitPrice?: string }
>;
export type PlanChangeRejected = DomainEvent<
  'PlanChangeRejected',
  { operationId: string; planId: string; reason: string | null; rejectedAt: string }
>;
/** The publisher asked to cancel (fulfillment API DELETE); it waits like any other operation. */
export type CancellationRequested = DomainEvent<'CancellationRequested', { operationId: string; requestedBy: Requester; requestedAt: string }>;
export type CancellationRejected = DomainEvent<'CancellationRejected', { operationId: string; reason: string | null; rejectedAt: string }>;
export type AutoRenewDisabled = DomainEvent<'AutoRenewDisabled', Record<string, never>>;
export type AutoRenewEnabled = DomainEvent<'AutoRenewEnabled', Record<string, never>>;
export type IndirectResellerAssigned = DomainEvent<'IndirectResellerAssigned', { mpnId: string; previousMpnId: string | null }>;
export type IndirectResellerRemoved = DomainEvent<'IndirectResellerRemoved', { mpnId: string }>;
export type PublisherActivated = DomainEvent<'PublisherActivated', { assignedSeats: number }>;
export type FulfillmentConfirmed = DomainEvent<'FulfillmentConfirmed', { planId: string; quantity: number }>;
export type BillingStarted = DomainEvent<
  'BillingStarted',
  {
    /** First day of the term, `YYYY-MM-DD`. */
    termStart: string;
    /** Last day of the term, inclusive. */
    termEnd: string;
    quantity: number;
    unitPrice: string;
    currency: string;
    billingCycle: BillingCycle;
    /** What the first billing cycle charged. */
    chargedAmount: string;
  }
>;
export type PublisherActionRequired = DomainEvent<
  'PublisherActionRequired',
  { reason: string; url: string; blockedOperations: string[]; signedAt: string }
>;
export type PublisherActionResolved = DomainEvent<'PublisherActionResolved', { signedAt: string }>;
export type Cancelled = DomainEvent<
  'Cancelled',
  {
    cancelledAt: string;
    requestedBy: Requester;
    /** What was charged for the term and is given back; null when nothing was charged. */
    refund: { amount: string; currency: string } | null;
    /** The Unsubscribe operation: the publisher's accepted request, or one recorded for the publisher's information. */
    operationId: string;
    /** Another change still waiting for the publisher ends with the subscription. */
    abandonedOperationId: string | null;
    /** Absent when someone cancelled it; set when time did (a suspension's grace ran out). */
    cause?: CancellationCause;
  }
>;
/** The subscription is suspended; the publisher is told (inform-only `Suspend`). Billing pauses, the term runs on. */
export type SubscriptionSuspended = DomainEvent<
  'SubscriptionSuspended',
  {
    operationId: string;
    reasons: SuspensionReason[];
    requestedBy: Requester;
    suspendedAt: string;
    /** When it is cancelled unless reinstated first: `suspendedAt` plus the grace period in force when it was suspended. */
    graceEndsAt: string;
    /** A change still waiting for the publisher ends with the suspension. */
    abandonedOperationId: string | null;
  }
>;
/** Reinstatement was asked for; the publisher gets `Reinstate` InProgress and answers like a seat change. */
export type ReinstatementRequested = DomainEvent<'ReinstatementRequested', { operationId: string; requestedBy: Requester; requestedAt: string }>;
/** `termEnd`: the last day of the term it is back in; a renewal that came due while suspended is due again from now. */
export type SubscriptionReinstated = DomainEvent<'SubscriptionReinstated', { operationId: string; reinstatedAt: string; termEnd: string }>;
export type ReinstatementRejected = DomainEvent<'ReinstatementRejected', { operationId: string; reason: string | null; rejectedAt: string }>;
/** A billing cycle began while the subscription was suspended: it is not charged. */
export type BillingCycleSkipped = DomainEvent<'BillingCycleSkipped', { cycleStart: string; cycleEnd: string; reason: 'suspended' }>;
/** A later billing cycle of a term billed in several (a year billed monthly) began, and is charged. */
export type BillingCycleStarted = DomainEvent<
  'BillingCycleStarted',
  {
    /** First day of the cycle, `YYYY-MM-DD`. */
    cycleStart: string;
    /** Last day of the cycle, inclusive. */
    cycleEnd: string;
    /** The seats the cycle is charged for. */
    quantity: number;
  }
>;
/**
 * The term ended and auto-renew was on: a new term starts and is charged. `planId`, `termDuration`,
 * `billingCycle` and `unitPrice` are there only when scheduled next-term instructions were applied
 * (all four, fully resolved); absent, the term renews on the plan, length, billing and price it had.
 */
export type SubscriptionRenewed = DomainEvent<
  'SubscriptionRenewed',
  {
    operationId: string;
    termStart: string;
    termEnd: string;
    quantity: number;
    chargedAmount: string;
    renewedAt: string;
    planId?: string;
    termDuration?: TermDuration;
    billingCycle?: BillingCycle;
    unitPrice?: string;
  }
>;
/** What the partner asked the next term to be (Partner Center's `scheduledNextTermInstructions`), fully resolved: unspecified members are the current values. */
export interface NextTermInstructionsData {
  planId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
}
/** Changes at renewal were scheduled; `unitPrice` is the new term's price per seat per term, locked now. */
export type NextTermScheduled = DomainEvent<'NextTermScheduled', NextTermInstructionsData & { unitPrice: string; scheduledAt: string }>;
/** Why scheduled changes at renewal were dropped: the partner's `null`, auto-renew turned off, or a plan or seat change mid-term. */
export type NextTermClearReason = 'Requested' | 'AutoRenewDisabled' | 'SeatChange' | 'PlanChange';
export type NextTermScheduleCleared = DomainEvent<'NextTermScheduleCleared', { reason: NextTermClearReason }>;
/**
 * A plan or seat change the renewal applied, recorded as an operation (Succeeded, by the system) the
 * publisher is notified of; it follows the SubscriptionRenewed that applied it. `planId` and
 * `quantity` are what the subscription has from now on.
 */
export type NextTermChangeApplied = DomainEvent<
  'NextTermChangeApplied',
  {
    operationId: string;
    action: 'ChangePlan' | 'ChangeQuantity';
    planId: string;
    previousPlanId: string;
    quantity: number;
    previousQuantity: number;
    appliedAt: string;
  }
>;
/**
 * The free trial ended with auto-renew on: from now it is paid at the price locked at purchase, with
 * the paid term's cancellation window; the SubscriptionRenewed that follows starts and charges that term.
 */
export type TrialConverted = DomainEvent<'TrialConverted', { unitPrice: string; convertedAt: string; cancellationAllowedUntil: string }>;
/** The term ended with auto-renew off: the subscription is over. */
export type SubscriptionExpired = DomainEvent<'SubscriptionExpired', { operationId: string; termEnd: string; expiredAt: string }>;

export type SubscriptionEvent =
  | SubscriptionPurchased
  | SubscriptionRenamed
  | SeatsChanged
  | SeatChangeRequested
  | SeatChangeRejected
  | PlanChangeRequested
  | PlanChanged
  | PlanChangeRejected
  | CancellationRequested
  | CancellationRejected
  | AutoRenewDisabled
  | AutoRenewEnabled
  | IndirectResellerAssigned
  | IndirectResellerRemoved
  | PublisherActivated
  | FulfillmentConfirmed
  | BillingStarted
  | BillingCycleStarted
  | PublisherActionRequired
  | PublisherActionResolved
  | Cancelled
  | SubscriptionRenewed
  | SubscriptionExpired
  | SubscriptionSuspended
  | ReinstatementRequested
  | SubscriptionReinstated
  | ReinstatementRejected
  | BillingCycleSkipped
  | TrialConverted
  | NextTermScheduled
  | NextTermScheduleCleared
  | NextTermChangeApplied;

export type SubscriptionEventType = SubscriptionEvent['type'];

export const SUBSCRIPTION_EVENT_TYPES: readonly SubscriptionEventType[] = [
  'SubscriptionPurchased',
  'SubscriptionRenamed',
  'SeatsChanged',
  'SeatChangeRequested',
  'SeatChangeRejected',
  'PlanChangeRequested',
  'PlanChanged',
  'PlanChangeRejected',
  'CancellationRequested',
  'CancellationRejected',
  'AutoRenewDisabled',
  'AutoRenewEnabled',
  'IndirectResellerAssigned',
  'IndirectResellerRemoved',
  'PublisherActivated',
  'FulfillmentConfirmed',
  'BillingStarted',
  'BillingCycleStarted',
  'PublisherActionRequired',
  'PublisherActionResolved',
  'Cancelled',
  'SubscriptionRenewed',
  'SubscriptionExpired',
  'SubscriptionSuspended',
  'ReinstatementRequested',
  'SubscriptionReinstated',
  'ReinstatementRejected',
  'BillingCycleSkipped',
  'TrialConverted',
  'NextTermScheduled',
  'NextTermScheduleCleared',
  'NextTermChangeApplied',
];

export function isSubscriptionEvent(event: { type: string }): event is SubscriptionEvent {
  return (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(event.type);
}
