import type { SubscriptionPurchased, SubscriptionPurchasedData } from '@mfh/domain';

/**
 * The purchase the domain's specs start from: Contoso CRM `standard`, 10 seats at 12.00 a month,
 * bought 2025-03-10 09:00 with a 72-hour window. Specs override what their rule turns on.
 */
export const subscriptionPurchased = (overrides: Partial<SubscriptionPurchasedData> = {}): SubscriptionPurchased => ({
  type: 'SubscriptionPurchased',
  data: {
    subscriptionId: '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10',
    customerId: 'customer-1',
    partnerId: 'partner-1',
    orderId: 'order-1',
    lineItemNumber: 1,
    offerId: 'contoso-crm',
    offerName: 'Contoso CRM',
    planId: 'standard',
    publisherId: 'contoso',
    publisherName: 'Contoso Ltd',
    quantity: 10,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    friendlyName: 'CRM for Fabrikam',
    indirectResellerId: null,
    autoRenewEnabled: true,
    unitPrice: '12.00',
    currency: 'USD',
    purchasedAt: '2025-03-10T09:00:00.000Z',
    cancellationAllowedUntil: '2025-03-13T09:00:00.000Z',
    ...overrides,
  },
});
