import {
  CustomerErrors,
  CustomerState,
  ExistingCustomer,
  ExistingSubscription,
  OrderErrors,
  OrderState,
  PlacedOrder,
  SubscriptionErrors,
  SubscriptionState,
} from '@mfh/domain';
import type { InvoiceSummary } from '@mfh/read-models';
import { InvoiceQueryErrors } from '../invoices/invoice.errors';

/*
 * Tenancy guards: each returns the aggregate when the tenant may see it, and otherwise throws the
 * same not-found as for one that does not exist, so no tenant can learn another's ids.
 */

export const customerOfPartner =
  (partnerId: string) =>
  (state: CustomerState): ExistingCustomer => {
    if (state.status === 'none' || state.partnerId !== partnerId) throw CustomerErrors.notFound();
    return state;
  };

export const orderOfPartner =
  (partnerId: string, customerId: string) =>
  (state: OrderState): PlacedOrder => {
    if (state.status === 'none' || state.partnerId !== partnerId || state.customerId !== customerId) throw OrderErrors.notFound();
    return state;
  };

/** A subscription held by this partner's customer. */
export const subscriptionOfPartner =
  (partnerId: string, customerId: string) =>
  (state: SubscriptionState): ExistingSubscription => {
    if (state.status === 'none' || state.partnerId !== partnerId || state.customerId !== customerId) throw SubscriptionErrors.notFound();
    return state;
  };

/** A subscription of one of this publisher's offers. */
export const subscriptionOfPublisher =
  (publisherId: string) =>
  (state: SubscriptionState): ExistingSubscription => {
    if (state.status === 'none' || state.publisherId !== publisherId) throw SubscriptionErrors.notFound();
    return state;
  };

export type IssuedInvoice = InvoiceSummary & { status: 'issued'; invoiceDate: string };

/** An issued invoice of this partner's; an open one is not an invoice yet (its lines are unbilled). */
export const issuedInvoiceOfPartner =
  (partnerId: string) =>
  (invoice: InvoiceSummary | null): IssuedInvoice => {
    if (invoice === null || invoice.partnerId !== partnerId || invoice.status !== 'issued' || invoice.invoiceDate === null) throw InvoiceQueryErrors.notFound();
    return invoice as IssuedInvoice;
  };
