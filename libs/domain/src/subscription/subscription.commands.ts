import type { Command } from '../decider';
import type { TermDuration } from '../shared/time';
import type { BillingCycle, Requester } from './subscription.events';

export interface PlanLimits {
  minQuantity: number;
  maxQuantity: number;
}

/** A plan's price per seat for one term length, as the catalog sells it. */
export interface PlanPrice {
  termDuration: TermDuration;
  unitPrice: string;
  currency: string;
}

/** What the catalog says about a plan. */
export interface CatalogPlan {
  id: string;
  minQuantity: number;
  maxQuantity: number;
  isPrivate: boolean;
  isPricePerSeat: boolean;
  /**
   * Its prices, one per term length. A plan change records the new plan's price for the
   * subscription's term; without them the change is recorded as keeping the price.
   */
  prices?: readonly PlanPrice[];
  /** A free trial every subscription of the plan starts with (SPEC §13). */
  freeTrial?: { duration: TermDuration };
}

/**
 * A plan a subscription may move to, or stay on: any public plan of its offer. Private plans need the
 * customer in their audience, and this marketplace keeps no audiences, so no customer can have one.
 * A plan with a free trial starts with a purchase, never with a move to it.
 */
export const isPlanAvailable = (plan: Pick<CatalogPlan, 'id' | 'isPrivate' | 'freeTrial'>, currentPlanId: string): boolean =>
  (!plan.isPrivate && plan.freeTrial === undefined) || plan.id === currentPlanId;

export type PurchaseSubscription = Command<
  'PurchaseSubscription',
  {
    subscriptionId: string;
    customerId: string;
    partnerId: string;
    orderId: string;
    lineItemNumber: number;
    offerId: string;
    offerName: string;
    planId: string;
    publisherId: string;
    publisherName: string;
    quantity: number;
    limits: PlanLimits;
    termDuration: TermDuration;
    billingCycle: BillingCycle;
    friendlyName: string;
    indirectResellerId: string | null;
    unitPrice: string;
    currency: string;
    /** How long after purchase the partner may still cancel, from the catalog. */
    cancellationWindowMs: number;
    testClockId: string | null;
    /** The plan's free trial, when it has one: the subscription starts with it. */
    freeTrial?: { duration: TermDuration } | null;
    now: string;
  }
>;
export type RenameSubscription = Command<'RenameSubscription', { friendlyName: string }>;
export type ChangeSeats = Command<
  'ChangeSeats',
  {
    quantity: number;
    /** The current plan's limits; null when the plan is no longer in the catalog. */
    limits: PlanLimits | null;
    operationId: string;
    requestedBy: Requester;
    now: string;
  }
>;
export type DisableAutoRenew = Command<'DisableAutoRenew', Record<string, never>>;
export type EnableAutoRenew = Command<'EnableAutoRenew', Record<string, never>>;
export type AssignIndirectReseller = Command<'AssignIndirectReseller', { mpnId: string }>;
export type RemoveIndirectReseller = Command<'RemoveIndirectReseller', Record<string, never>>;
export type ChangePlan = Command<
  'ChangePlan',
  {
    planId: string;
    /** The catalog's entry for `planId` in the subscription's offer, null when none; the current quantity must fit its limits. */
    plan: CatalogPlan | null;
    operationId: string;
    requestedBy: Requester;
    now: string;
  }
>;
/** The publisher's PATCH: a plan or a seat change, exactly one per call (as Microsoft has it). */
export type ChangeSubscription = Command<
  'ChangeSubscription',
  {
    planId: string | null;
    quantity: number | null;
    /** Every plan of the subscription's offer. */
    plans: readonly CatalogPlan[];
    operationId: string;
    requestedBy: Requester;
    now: string;
  }
>;
/** Cancels at once (the partner's PATCH status: deleted); `operationId` records it for the publisher. */
export type CancelSubscription = Command<'CancelSubscription', { requestedBy: Requester; operationId: string; now: string }>;
/** Asks to cancel, as an operation that waits to be accepted (the publisher's DELETE). */
export type RequestCancellation = Command<'RequestCancellation', { requestedBy: Requester; operationId: string; now: string }>;
export type RecordLicensesAssigned = Command<'RecordLicensesAssigned', { assignedSeats: number }>;
/** `pricedPerSeat`: the current plan's isPricePerSeat in the catalog (true when the plan is missing); only then is `quantity` required. */
export type ConfirmFulfillment = Command<'ConfirmFulfillment', { planId: string; quantity: number | null; pricedPerSeat: boolean }>;
export type StartBilling = Command<'StartBilling', { now: string }>;
/**
 * Due at the start of `cycleStart` (a later billing cycle of a term billed in several): starts every
 * cycle of the current term that begins by then and by `now`, each once.
 */
export type StartBillingCycle = Command<'StartBillingCycle', { cycleStart: string; now: string }>;
/**
 * `signedAt` is when the publisher sent it. Callbacks can arrive out of order (retries, parallel
 * workers); one signed before the last applied action change is stale and changes nothing.
 */
export type RequirePublisherAction = Command<
  'RequirePublisherAction',
  { reason: string; url: string; blockedOperations: string[]; signedAt: string }
>;
export type ResolvePublisherAction = Command<'ResolvePublisherAction', { signedAt: string }>;
/**
 * Completes a waiting operation: the publisher's PATCH Success, or no answer within the window
 * (`Timeout`). A plan or quantity the publisher sends along must be the operation's.
 */
export type AcceptOperation = Command<
  'AcceptOperation',
  { operationId: string; now: string; answeredBy: 'Publisher' | 'Timeout'; planId?: string; quantity?: number }
>;
/** Fails a waiting operation: the publisher's PATCH Failure, or its answer to the webhook notification. */
export type RejectOperation = Command<
  'RejectOperation',
  { operationId: string; reason: string | null; now: string; answeredBy: 'Publisher' | 'Notification'; planId?: string; quantity?: number }
>;
/**
 * At the end of the term ending `termEnd` (its last day): renews it, or ends the subscription when
 * auto-renew is off. `changeOperationIds` name the ChangePlan and ChangeQuantity operations the
 * renewal records when it applies scheduled instructions that change the plan or the seats.
 */
export type RenewSubscription = Command<
  'RenewSubscription',
  { operationId: string; now: string; termEnd: string; changeOperationIds?: { changePlan: string; changeQuantity: string } }
>;

/** A term length the offer sells, and the billing cycles it sells it with (the catalog's `terms`). */
export interface OfferTerm {
  termDuration: TermDuration;
  billingCycles: readonly BillingCycle[];
}

/** The partner's `scheduledNextTermInstructions`: at least one member; the others stay as they are. */
export interface NextTermInstructions {
  planId?: string;
  quantity?: number;
  termDuration?: TermDuration;
  billingCycle?: BillingCycle;
}

/**
 * Changes applied at the next renewal. `plans` are every plan of the subscription's offer and
 * `terms` the terms it sells, from the catalog: the instructions are checked against them now.
 */
export type ScheduleNextTerm = Command<
  'ScheduleNextTerm',
  { instructions: NextTermInstructions; plans: readonly CatalogPlan[]; terms: readonly OfferTerm[]; now: string }
>;
/** The partner's `scheduledNextTermInstructions: null`. */
export type ClearNextTerm = Command<'ClearNextTerm', Record<string, never>>;

/** Suspends a subscription whose billing runs (the partner's PATCH status: suspended, or the admin's); `graceMs` is SUSPENSION_GRACE. */
export type SuspendSubscription = Command<
  'SuspendSubscription',
  { reasons: readonly string[]; requestedBy: Requester; operationId: string; graceMs: number; now: string }
>;
/** Asks for a suspended subscription back (PATCH status: active, or the admin's reinstate): the publisher answers it. */
export type RequestReinstatement = Command<'RequestReinstatement', { requestedBy: Requester; operationId: string; now: string }>;
/**
 * Due when the grace of the suspension `suspensionOperationId` ends: cancels the subscription if
 * that suspension still holds; reinstated meanwhile (or suspended anew), it changes nothing.
 */
export type ExpireSuspension = Command<'ExpireSuspension', { suspensionOperationId: string; operationId: string; now: string }>;

export type SubscriptionCommand =
  | PurchaseSubscription
  | RenameSubscription
  | ChangeSeats
  | ChangePlan
  | ChangeSubscription
  | DisableAutoRenew
  | EnableAutoRenew
  | AssignIndirectReseller
  | RemoveIndirectReseller
  | CancelSubscription
  | RequestCancellation
  | RecordLicensesAssigned
  | ConfirmFulfillment
  | StartBilling
  | StartBillingCycle
  | RequirePublisherAction
  | ResolvePublisherAction
  | AcceptOperation
  | RejectOperation
  | RenewSubscription
  | SuspendSubscription
  | RequestReinstatement
  | ExpireSuspension
  | ScheduleNextTerm
  | ClearNextTerm;
