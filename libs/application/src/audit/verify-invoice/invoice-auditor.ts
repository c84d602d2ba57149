import { BillingPeriodKey, invoiceIdOf, invoiceStream, monthOf, nextMonth, subscriptionStream } from '@mfh/domain';
import { BoundedCache, EventStore, RecordedEvent, verifyChain } from '@mfh/event-store';
import type { SubscriptionsRepository } from '@mfh/read-models';
import { AuditErrors } from '../audit.errors';
import { reRated } from '../re-rating';
import {
  billingPeriodOf,
  InvoiceVerification,
  issuedCheckOf,
  lineIdOf,
  linesOfInvoice,
  RatedLine,
  reconcile,
  StoredCharge,
  totalOfLines,
} from './invoice-audit';

/** Subscriptions whose re-rated lines one auditor keeps, for the next invoice of the same partner. */
const RATED_SUBSCRIPTIONS = 2_000;
/** Subscription logs read at once. */
const READS_AT_ONCE = 16;

interface InvoiceStreamLines {
  lineIds: ReadonlySet<string>;
  issued: boolean;
}

const chargesOf = (events: readonly RecordedEvent[]): StoredCharge[] =>
  events.filter((event) => event.type === 'ChargeRecorded').map((event) => ({ revision: event.revision, data: event.data }));

/**
 * Re-rates every line of an invoice's period from the subscription logs and compares them with the
 * stored ChargeRecorded. One auditor can verify many invoices (`audit invoices verify --all`): it
 * keeps the re-rated lines of the subscriptions it read last.
 */
export class InvoiceAuditor {
  private readonly rated = new BoundedCache<string, Promise<RatedLine[]>>(RATED_SUBSCRIPTIONS);

  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  /** Null when the log holds no event of the invoice's period. */
  async verify(invoiceId: string): Promise<InvoiceVerification | null> {
    const period = billingPeriodOf(invoiceId);
    if (!period) throw AuditErrors.invalidInvoiceId();
    const events = await this.store.readStream(invoiceStream(invoiceId));
    if (events.length === 0) return null;
    const stored = chargesOf(events);
    const { rated, subscriptions } = await this.ratedLines(period, stored);
    const issued = issuedCheckOf(events);
    const { missing, fromEarlier } = linesOfInvoice(invoiceId, period.month, rated, stored);
    const streams = new Map<string, Promise<InvoiceStreamLines>>();
    const elsewhere = {
      ...(await this.chargedEarlier(period, fromEarlier, streams)),
      // Only an issued period sends its late lines on to the next one.
      later: issued ? await this.chargedLater(period, missing, streams) : new Map<string, string>(),
    };
    const { expected, differences, moved } = reconcile(invoiceId, period.month, rated, stored, elsewhere);
    const chain = verifyChain(events);
    return {
      invoiceId,
      status: issued ? 'issued' : 'open',
      valid: chain.valid && differences.length === 0 && (issued?.valid ?? true),
      lines: stored.length,
      expectedLines: expected.length,
      totalCharges: totalOfLines(stored.map((charge) => charge.data)),
      expectedTotalCharges: totalOfLines(expected),
      subscriptions,
      differences,
      movedToLaterInvoices: moved,
      chain,
      issued,
    };
  }

  /**
   * The lines of every subscription that can have one on the invoice: those its stored lines name, and
   * the partner's on the invoice's clock that the subscriptions read model lists as bought before the
   * period ended. A line's cause comes after the purchase in the subscription's stream, decided on
   * the same clock, so a subscription bought later has no line of the period; one bought a moment ago
   * that the read model does not list yet has no line the charger could have recorded before it either.
   */
  private async ratedLines(period: BillingPeriodKey, stored: readonly StoredCharge[]): Promise<{ rated: RatedLine[]; subscriptions: number }> {
    const named = stored.map((charge) => charge.data.subscriptionId).filter((id): id is string => typeof id === 'string');
    const listed = await this.subscriptions.idsOfPartner(period.partnerId, period.testClockId, `${nextMonth(period.month)}-01T00:00:00.000Z`);
    const ids = [...new Set([...named, ...listed])];
    const rated: RatedLine[] = [];
    for (let i = 0; i < ids.length; i += READS_AT_ONCE) {
      for (const lines of await Promise.all(ids.slice(i, i + READS_AT_ONCE).map((id) => this.reRate(id)))) rated.push(...lines);
    }
    return { rated, subscriptions: ids.length };
  }

  private reRate(subscriptionId: string): Promise<RatedLine[]> {
    const cached = this.rated.get(subscriptionId);
    if (cached) return cached;
    const lines = this.store.readStream(subscriptionStream(subscriptionId)).then(reRated);
    this.rated.set(subscriptionId, lines);
    lines.catch(() => this.rated.delete(subscriptionId));
    return lines;
  }

  /**
   * For lines of earlier periods stored on this invoice: the earlier invoice that holds them too, or
   * that they belong on. The charger moves a line on only past issued periods (and an issued period
   * stays issued), so the first one that is not issued is where the line should be.
   */
  private async chargedEarlier(period: BillingPeriodKey, lines: readonly RatedLine[], streams: Map<string, Promise<InvoiceStreamLines>>) {
    const earlier = new Map<string, string>();
    const unmoved = new Set<string>();
    for (const line of lines) {
      for (let month = monthOf(line.occurredAt); month < period.month; month = nextMonth(month)) {
        const invoiceId = invoiceIdOf({ ...period, month });
        const other = await this.linesOn(invoiceId, streams);
        if (other.lineIds.has(line.id)) earlier.set(line.id, invoiceId);
        else if (!other.issued) unmoved.add(line.id);
        if (other.lineIds.has(line.id) || !other.issued) break;
      }
    }
    return { earlier, unmoved };
  }

  /** For lines of this issued period missing from it: the later invoice they went on, up to the first period not issued. */
  private async chargedLater(period: BillingPeriodKey, lines: readonly RatedLine[], streams: Map<string, Promise<InvoiceStreamLines>>) {
    const found = new Map<string, string>();
    const wanted = new Set(lines.map((line) => line.id));
    for (let month = nextMonth(period.month); wanted.size > 0; month = nextMonth(month)) {
      const invoiceId = invoiceIdOf({ ...period, month });
      const other = await this.linesOn(invoiceId, streams);
      for (const id of [...wanted].filter((id) => other.lineIds.has(id))) {
        found.set(id, invoiceId);
        wanted.delete(id);
      }
      if (!other.issued) break;
    }
    return found;
  }

  private linesOn(invoiceId: string, streams: Map<string, Promise<InvoiceStreamLines>>): Promise<InvoiceStreamLines> {
    if (!streams.has(invoiceId)) {
      streams.set(
        invoiceId,
        this.store.readStream(invoiceStream(invoiceId)).then((events) => ({
          lineIds: new Set(chargesOf(events).map(lineIdOf).filter((id): id is string => id !== null)),
          issued: events.some((event) => event.type === 'InvoiceIssued'),
        })),
      );
    }
    return streams.get(invoiceId)!;
  }
}
