import { isSubscriptionEvent, SubscriptionEvent } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';

const quoted = (text: string) => `'${text}'`;
const reasonOf = (reason: string | null) => (reason ? `: ${reason}` : '');
const money = (amount: string, currency: string) => `${currency} ${amount}`;

/** One line saying what an event did, in words an auditor reads without the JSON. */
export function summarizeEvent(event: Pick<RecordedEvent, 'type' | 'data'>): string {
  if (!isSubscriptionEvent(event)) return compactJson(event.data);
  const e = event as SubscriptionEvent;
  switch (e.type) {
    case 'SubscriptionPurchased': {
      const d = e.data;
      return (
        `purchased ${quoted(d.friendlyName)}: ${d.offerId}/${d.planId}, ${d.quantity} seats, ${d.termDuration} billed ${d.billingCycle} ` +
        `at ${money(d.unitPrice, d.currency)} per seat; partner ${d.partnerId}, customer ${d.customerId}, order ${d.orderId} line ${d.lineItemNumber}` +
        `${d.indirectResellerId ? `, indirect reseller ${d.indirectResellerId}` : ''}; auto-renew ${d.autoRenewEnabled ? 'on' : 'off'}, ` +
        `cancellable until ${d.cancellationAllowedUntil}`
      );
    }
    case 'SubscriptionRenamed':
      return `renamed from ${quoted(e.data.previousFriendlyName)} to ${quoted(e.data.friendlyName)}`;
    case 'SeatsChanged':
      return `seats ${e.data.previousQuantity} → ${e.data.quantity}${e.data.operationId ? ` (operation ${e.data.operationId})` : ''}`;
    case 'SeatChangeRequested':
      return `${e.data.requestedBy} asked for seats ${e.data.previousQuantity} → ${e.data.quantity}; waiting for the publisher (operation ${e.data.operationId})`;
    case 'SeatChangeRejected':
      return `seat change to ${e.data.quantity} rejected${reasonOf(e.data.reason)} (operation ${e.data.operationId})`;
    case 'PlanChangeRequested':
      return `${e.data.requestedBy} asked for plan ${e.data.previousPlanId} → ${e.data.planId} (operation ${e.data.operationId})`;
    case 'PlanChanged':
      return `plan ${e.data.previousPlanId} → ${e.data.planId} (operation ${e.data.operationId})`;
    case 'PlanChangeRejected':
      return `plan change to ${e.data.planId} rejected${reasonOf(e.data.reason)} (operation ${e.data.operationId})`;
    case 'CancellationRequested':
      return `${e.data.requestedBy} asked to cancel (operation ${e.data.operationId})`;
    case 'CancellationRejected':
      return `cancellation rejected${reasonOf(e.data.reason)} (operation ${e.data.operationId})`;
    case 'AutoRenewDisabled':
      return 'auto-renew turned off';
    case 'AutoRenewEnabled':
      return 'auto-renew turned on';
    case 'IndirectResellerAssigned':
      return `indirect reseller ${e.data.previousMpnId ?? 'none'} → ${e.data.mpnId}`;
    case 'IndirectResellerRemoved':
      return `indirect reseller ${e.data.mpnId} removed`;
    case 'PublisherActivated':
      return `publisher assigned licenses for ${e.data.assignedSeats} seats`;
    case 'FulfillmentConfirmed':
      return `publisher confirmed fulfilment: plan ${e.data.planId}, ${e.data.quantity} seats`;
    case 'BillingStarted':
      return (
        `billing started: term ${e.data.termStart} to ${e.data.termEnd}, ${e.data.quantity} seats at ${money(e.data.unitPrice, e.data.currency)}, ` +
        `billed ${e.data.billingCycle}, first charge ${money(e.data.chargedAmount, e.data.currency)}`
      );
    case 'PublisherActionRequired':
      return (
        `action needed: ${quoted(e.data.reason)} (${e.data.url})` +
        (e.data.blockedOperations.length > 0 ? `, blocks ${e.data.blockedOperations.join(', ')}` : '')
      );
    case 'PublisherActionResolved':
      return 'action resolved';
    case 'Cancelled':
      return (
        `cancelled by ${e.data.requestedBy}${e.data.cause ? ` (${e.data.cause})` : ''}, ${e.data.refund ? `refund ${money(e.data.refund.amount, e.data.refund.currency)}` : 'no refund'}` +
        (e.data.abandonedOperationId ? `, operation ${e.data.abandonedOperationId} abandoned` : '')
      );
    case 'SubscriptionRenewed': {
      const d = e.data;
      const scheduled = d.planId === undefined ? '' : ` as scheduled (plan ${d.planId}, ${d.termDuration} billed ${d.billingCycle} at ${d.unitPrice} per seat)`;
      return `renewed${scheduled}: term ${d.termStart} to ${d.termEnd}, ${d.quantity} seats, charged ${d.chargedAmount}`;
    }
    case 'NextTermScheduled': {
      const d = e.data;
      return `changes at renewal scheduled: plan ${d.planId}, ${d.quantity} seats, ${d.termDuration} billed ${d.billingCycle} at ${d.unitPrice} per seat`;
    }
    case 'NextTermScheduleCleared':
      return `changes at renewal dropped (${e.data.reason})`;
    case 'NextTermChangeApplied': {
      const d = e.data;
      const change = d.action === 'ChangePlan' ? `plan ${d.previousPlanId} → ${d.planId}` : `seats ${d.previousQuantity} → ${d.quantity}`;
      return `renewal applied ${change} (operation ${d.operationId})`;
    }
    case 'SubscriptionExpired':
      return `expired at the end of the term (${e.data.termEnd}), auto-renew was off`;
    case 'BillingCycleStarted':
      return `billing cycle ${e.data.cycleStart} to ${e.data.cycleEnd} started, ${e.data.quantity} seats`;
    case 'TrialConverted':
      return `free trial converted: paid at ${e.data.unitPrice} a seat, cancellable until ${e.data.cancellationAllowedUntil}`;
    case 'BillingCycleSkipped':
      return `billing cycle ${e.data.cycleStart} to ${e.data.cycleEnd} not charged: ${e.data.reason}`;
    case 'SubscriptionSuspended':
      return (
        `suspended by ${e.data.requestedBy} (${e.data.reasons.join(', ')}), cancelled at ${e.data.graceEndsAt} unless reinstated` +
        (e.data.abandonedOperationId ? `, operation ${e.data.abandonedOperationId} abandoned` : '')
      );
    case 'ReinstatementRequested':
      return `reinstatement requested by ${e.data.requestedBy} (operation ${e.data.operationId})`;
    case 'SubscriptionReinstated':
      return `reinstated (operation ${e.data.operationId})`;
    case 'ReinstatementRejected':
      return `reinstatement rejected${e.data.reason ? `: ${quoted(e.data.reason)}` : ''}`;
    default: {
      const never: never = e;
      return compactJson((never as RecordedEvent).data);
    }
  }
}

function compactJson(data: unknown): string {
  const text = JSON.stringify(data) ?? '';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** `actor (role, source)` from the metadata every event carries (SPEC §9). */
export function whoOf(metadata: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '?');
  return `${text(metadata.actor)} (${text(metadata.role)}, ${text(metadata.source)})`;
}
