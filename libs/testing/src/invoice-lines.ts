import { chargeLineId, invoiceIdOf, termAndBillingCycleOf } from '@mfh/domain';
import type { InvoiceLine } from '@mfh/domain';

/**
 * A `new` line of the {@link subscriptionPurchased} fixture: 10 seats of Contoso CRM `standard` at
 * 12.00 for March 2025, on partner-1's March invoice. Specs override what their rule turns on.
 */
export function invoiceLine(overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  const referenceId = overrides.referenceId ?? '5f0c2a41-2b7e-4c1d-9e3a-6b8f0d1c2e3f';
  const index = overrides.index ?? 0;
  return {
    id: chargeLineId(referenceId, index),
    referenceId,
    index,
    chargeType: 'new',
    occurredAt: '2025-03-10T09:05:00.000Z',
    subscriptionId: '0b6f3f8e-6a43-4b8e-9c1e-2d7f5a9c4e10',
    partnerId: 'partner-1',
    customerId: 'customer-1',
    orderId: 'order-1',
    offerId: 'contoso-crm',
    publisherId: 'contoso',
    planId: 'standard',
    resellerMpnId: null,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    termAndBillingCycle: termAndBillingCycleOf('P1M', 'monthly'),
    termStartDate: '2025-03-10',
    termEndDate: '2025-04-09',
    billingCycleStartDate: '2025-03-10',
    billingCycleEndDate: '2025-04-09',
    chargeStartDate: '2025-03-10',
    chargeEndDate: '2025-04-09',
    quantity: 10,
    unitPrice: 1200,
    effectiveUnitPrice: 1200,
    amount: 12000,
    currency: 'USD',
    reversesLineId: null,
    customerName: 'Fabrikam',
    customerDomainName: 'fabrikam.example',
    subscriptionDescription: 'CRM for Fabrikam',
    orderDate: '2025-03-10T09:00:00.000Z',
    skuName: 'Standard',
    productName: 'Contoso CRM',
    publisherName: 'Contoso Ltd',
    invoiceId: invoiceIdOf({ partnerId: 'partner-1', month: '2025-03', currency: 'USD', testClockId: null }),
    testClockId: null,
    ...overrides,
  };
}
