import type { Command } from '../decider';
import type { TermDuration } from '../shared/time';
import type { BillingCycle, Requester } from './subscription.events';

export interface PlanLimits {
  minQuantity: number;
  maxQuantity: number;
}

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
    now: string;
  }
>;
export type RenameSubscription = Command<'RenameSubscription', { friendlyName: string }>;
export type ChangeSeats = Command<
  'ChangeSeats',
  { quantity: number; limits: PlanLimits; operationId: string; requestedBy: Requester; now: string }
>;
export type DisableAutoRenew = Command<'DisableAutoRenew', Record<string, never>>;
export type EnableAutoRenew = Command<'EnableAutoRenew', Record<string, never>>;
export type AssignIndirectReseller = Command<'AssignIndirectReseller', { mpnId: string }>;
export type RemoveIndirectReseller = Command<'RemoveIndirectReseller', Record<string, never>>;
export type CancelSubscription = Command<'CancelSubscription', { requestedBy: Requester; now: string }>;
export type RecordLicensesAssigned = Command<'RecordLicensesAssigned', { assignedSeats: number }>;
export type ConfirmFulfillment = Command<'ConfirmFulfillment', { planId: string; quantity: number }>;
export type StartBilling = Command<'StartBilling', { now: string }>;
export type RequirePublisherAction = Command<
  'RequirePublisherAction',
  { reason: string; url: string; blockedOperations: string[] }
>;
export type ResolvePublisherAction = Command<'ResolvePublisherAction', Record<string, never>>;
export type AcceptSeatChange = Command<'AcceptSeatChange', { operationId: string; now: string }>;
export type RejectSeatChange = Command<'RejectSeatChange', { operationId: string; reason: string | null; now: string }>;

export type SubscriptionCommand =
  | PurchaseSubscription
  | RenameSubscription
  | ChangeSeats
  | DisableAutoRenew
  | EnableAutoRenew
  | AssignIndirectReseller
  | RemoveIndirectReseller
  | CancelSubscription
  | RecordLicensesAssigned
  | ConfirmFulfillment
  | StartBilling
  | RequirePublisherAction
  | ResolvePublisherAction
  | AcceptSeatChange
  | RejectSeatChange;
