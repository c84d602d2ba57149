import { createHash } from 'node:crypto';
import { fromCents } from '@mfh/domain';
import type { InvoiceLine } from '@mfh/domain';

/** A line as Partner Center's billed and unbilled line items show it (SPEC §12): money as two-decimal strings. */
export interface InvoiceLineView {
  partnerId: string;
  customerId: string;
  customerName: string;
  customerDomainName: string;
  invoiceNumber: string;
  orderId: string;
  orderDate: string;
  subscriptionId: string;
  subscriptionDescription: string;
  productId: string;
  skuId: string;
  skuName: string;
  productName: string;
  publisherId: string;
  publisherName: string;
  termAndBillingCycle: string;
  chargeType: string;
  chargeStartDate: string;
  chargeEndDate: string;
  unitPrice: string;
  effectiveUnitPrice: string;
  quantity: number;
  billableQuantity: number;
  subtotal: string;
  taxTotal: string;
  totalForCustomer: string;
  currency: string;
  resellerMpnId: string | null;
  referenceId: string;
}

/** Always the same keys in the same order, so a line serialises to the same bytes on every rebuild. */
export function invoiceLineView(line: InvoiceLine): InvoiceLineView {
  const amount = fromCents(line.amount);
  return {
    partnerId: line.partnerId,
    customerId: line.customerId,
    customerName: line.customerName,
    customerDomainName: line.customerDomainName,
    invoiceNumber: line.invoiceId,
    orderId: line.orderId,
    orderDate: line.orderDate,
    subscriptionId: line.subscriptionId,
    subscriptionDescription: line.subscriptionDescription,
    productId: line.offerId,
    skuId: line.planId,
    skuName: line.skuName,
    productName: line.productName,
    publisherId: line.publisherId,
    publisherName: line.publisherName,
    termAndBillingCycle: line.termAndBillingCycle,
    chargeType: line.chargeType,
    chargeStartDate: line.chargeStartDate,
    chargeEndDate: line.chargeEndDate,
    unitPrice: fromCents(line.unitPrice),
    effectiveUnitPrice: fromCents(line.effectiveUnitPrice),
    quantity: line.quantity,
    billableQuantity: line.quantity,
    subtotal: amount,
    taxTotal: '0.00',
    totalForCustomer: amount,
    currency: line.currency,
    resellerMpnId: line.resellerMpnId,
    referenceId: line.referenceId,
  };
}

/**
 * SHA-256 (hex) over the lines in order, each as its view's JSON followed by a newline: exactly the
 * bytes of a reconciliation file of the invoice, so anyone holding that file can check InvoiceIssued.linesHash.
 */
export class InvoiceLinesHash {
  private readonly hash = createHash('sha256');
  private count = 0;

  add(line: InvoiceLine): this {
    this.hash.update(`${JSON.stringify(invoiceLineView(line))}\n`);
    this.count++;
    return this;
  }

  get lineCount(): number {
    return this.count;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export const invoiceLinesHash = (lines: Iterable<InvoiceLine>): string => {
  const hash = new InvoiceLinesHash();
  for (const line of lines) hash.add(line);
  return hash.digest();
};
