import { Injectable } from '@nestjs/common';
import { AppConfig, Catalog } from '@mfh/config';
import { addMonths, invoiceIdOf, monthOf } from '@mfh/domain';
import { InvoiceSummary, InvoicesRepository } from '@mfh/read-models';
import { Clock } from '../clock';
import { BusinessTime } from '../test-clocks/business-time';
import { SandboxErrors } from '../test-clocks/sandbox.errors';
import { InvoiceQueryErrors } from './invoice.errors';

export type UnbilledPeriodName = 'current' | 'previous';

/** Which unbilled lines a partner asks for: `current` is the month it is now, `previous` the one before while it is not yet issued. */
export interface UnbilledPeriod {
  partnerId: string;
  currency: string;
  period: UnbilledPeriodName;
  /** A test clock's periods, in its time; null: the real ones. */
  testClockId: string | null;
}

/** Finds the billing period the unbilled calls mean, in the business time of the wall clock or of a test clock. */
@Injectable()
export class UnbilledPeriods {
  private readonly currencies: readonly string[];

  constructor(
    catalog: Catalog,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly time: BusinessTime,
    private readonly invoices: InvoicesRepository,
  ) {
    this.currencies = [...new Set(catalog.offers.flatMap((offer) => offer.plans.flatMap((plan) => plan.prices.map((price) => price.currency))))].sort();
  }

  /** The period's invoice while it is open; null when it has no lines yet, or was issued. */
  async openInvoice(period: UnbilledPeriod): Promise<InvoiceSummary | null> {
    const invoice = await this.invoices.find(await this.invoiceId(period));
    return invoice?.status === 'open' && invoice.partnerId === period.partnerId ? invoice : null;
  }

  private async invoiceId({ partnerId, currency, period, testClockId }: UnbilledPeriod): Promise<string> {
    if (testClockId !== null && !this.config.SANDBOX) throw SandboxErrors.disabled('testClockId');
    if (!this.currencies.includes(currency)) throw InvoiceQueryErrors.unknownCurrency(currency, this.currencies);
    const now = testClockId === null ? this.clock.now().toISOString() : await this.time.ofTestClock(testClockId);
    const month = period === 'current' ? monthOf(now) : monthOf(addMonths(`${monthOf(now)}-01`, -1));
    return invoiceIdOf({ partnerId, month, currency, testClockId });
  }
}
