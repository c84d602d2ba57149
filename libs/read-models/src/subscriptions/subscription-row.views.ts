import { partnerSubscriptionOf, PartnerSubscriptionView, termChargedOf } from './partner-subscription.view';
import { SaasSubscription, saasSubscriptionOf } from './saas-subscription.view';
import type { SubscriptionRow } from './subscription.row';

/** A list row as the partner sees it: the view partnerSubscriptionView builds from the command side's state (a spec holds the two together). */
export const partnerSubscriptionRowView = (row: SubscriptionRow, activationLink: string | null = null): PartnerSubscriptionView =>
  partnerSubscriptionOf(row, row.key, termChargedOf(row.termCharges, row.termStart), activationLink);

/** A list row as the publisher's fulfillment API shows it. */
export function saasSubscriptionRowView(row: SubscriptionRow): SaasSubscription {
  const term = row.termStart !== null && row.termEnd !== null ? { termStart: row.termStart, termEnd: row.termEnd } : null;
  return saasSubscriptionOf(row, row.key, term, row.isTrial);
}
