import { partnerSubscriptionOf, PartnerSubscriptionView, termChargedOf } from './partner-subscription.view';
import { SaasSubscription, saasSubscriptionOf } from './saas-subscription.view';
import type { SubscriptionRow } from './subscription.row';

/**
 * The row with what a view names differently, its other fields read through the prototype: a spread of
 * the row's thirty-odd fields took 60 % of a row's view (rendered for every row a projection saves).
 */
const viewSource = <T extends object>(row: SubscriptionRow, extra: T): SubscriptionRow & T => Object.assign(Object.create(row) as SubscriptionRow, extra);

/** A list row as the partner sees it: the view partnerSubscriptionView builds from the command side's state (a spec holds the two together). */
export const partnerSubscriptionRowView = (row: SubscriptionRow, activationLink: string | null = null): PartnerSubscriptionView =>
  partnerSubscriptionOf(viewSource(row, { id: row.key, currentTermCharged: termChargedOf(row.termCharges, row.termStart) }), activationLink);

/** A list row as the publisher's fulfillment API shows it. */
export function saasSubscriptionRowView(row: SubscriptionRow): SaasSubscription {
  return saasSubscriptionOf(
    viewSource(row, { id: row.key, term: row.termStart !== null && row.termEnd !== null ? { termStart: row.termStart, termEnd: row.termEnd } : null }),
  );
}
