import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { ChargeRecorded, InvoiceLine, invoiceIdOf, invoiceStream, isDomainError, monthOfInvoice, nextMonth, subscriptionIdOf } from '@mfh/domain';
import { invoiceDecider } from '@mfh/domain/deciders';
import { comparePositions, derivedId, DuplicateEventIdError, EventMetadata, EventStore, GlobalPosition, RecordedEvent } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { inLanes } from '../../in-lanes';
import { InvoiceLines } from './invoice-lines';
import { chargingEvents, ChargesRecorded, RecordSubscriptionCharges } from './record-charges.command';

/** Subscription streams read side by side. */
const READ_LANES = 16;
/** How many closed periods in a row a late cause's lines may pass over (and rereads); more means something is wrong, not late. */
const MAX_RETRIES = 24;

/**
 * Rates each subscription of the batch from its log and puts the lines its causes there charge on
 * their billing periods, one append per invoice. Nothing is charged twice: every line's event id
 * derives from the line's, and the invoice leaves out lines it already holds.
 */
@CommandHandler(RecordSubscriptionCharges)
export class RecordSubscriptionChargesHandler implements ICommandHandler<RecordSubscriptionCharges> {
  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
    private readonly catalog: Catalog,
  ) {}

  async execute({ events, metadata }: RecordSubscriptionCharges): Promise<ChargesRecorded> {
    const causes = new Map(events.filter((event) => chargingEvents(event) && subscriptionIdOf(event.streamId) !== null).map((event) => [event.id, event]));
    const streams = [...new Set([...causes.values()].map((cause) => cause.streamId))];
    const invoiceLines = new InvoiceLines(this.store, this.catalog, causes);
    const order = new Map([...causes.keys()].map((id, index) => [id, index]));
    const lines = (await inLanes(streams, READ_LANES, (stream) => invoiceLines.of(stream))).flat();
    lines.sort((a, b) => order.get(a.referenceId)! - order.get(b.referenceId)! || a.index - b.index);
    const byInvoice = new Map<string, InvoiceLine[]>();
    for (const line of lines) {
      const invoice = byInvoice.get(line.invoiceId);
      if (invoice) invoice.push(line);
      else byInvoice.set(line.invoiceId, [line]);
    }

    let recorded = 0;
    let position: GlobalPosition | null = null;
    for (const invoice of byInvoice.values()) {
      const result = await this.record(invoice, signedFor(metadata, causes.get(invoice[0].referenceId)!));
      recorded += result.recorded;
      if (result.position && (position === null || comparePositions(result.position, position) > 0)) position = result.position;
    }
    return { recorded, position };
  }

  /** On a period issued before its cause was charged, the lines go on the next one that is open (SPEC §12). */
  private async record(lines: readonly InvoiceLine[], metadata: EventMetadata): Promise<ChargesRecorded> {
    let pending = lines;
    for (let retries = 0; ; retries++) {
      const invoiceId = pending[0].invoiceId;
      try {
        const result = await this.executor.execute({
          stream: invoiceStream(invoiceId),
          decider: invoiceDecider,
          commands: { type: 'RecordCharges', data: { lines: pending } },
          metadata,
          testClockId: pending[0].testClockId,
          // RecordCharges decides only ChargeRecorded, leaving out lines already recorded: the id follows the line, not its place.
          eventId: (_index, event) => derivedId((event as ChargeRecorded).data.id),
        });
        return { recorded: result.appended.length, position: result.position };
      } catch (error) {
        const issued = isDomainError(error) && error.code === 'invoice-issued';
        if (!issued && !(error instanceof DuplicateEventIdError)) throw error;
        if (retries >= MAX_RETRIES) throw new Error(`Charges of ${pending[0].referenceId} found no open period from ${lines[0].invoiceId} in ${MAX_RETRIES} tries`);
        // The period holds lines its decider cannot tell: put there by a redelivered batch before it was issued, or older than the line ids it remembers.
        const held = await this.lineIdsOf(invoiceId);
        pending = pending.filter((line) => !held.has(line.id));
        if (issued) pending = pending.map((line) => ({ ...line, invoiceId: nextPeriodOf(line) }));
        if (pending.length === 0) return { recorded: 0, position: null };
      }
    }
  }

  private async lineIdsOf(invoiceId: string): Promise<Set<string>> {
    const events = await this.store.readStream(invoiceStream(invoiceId));
    return new Set(events.filter((event) => event.type === 'ChargeRecorded').map((event) => String(event.data.id)));
  }
}

const nextPeriodOf = (line: InvoiceLine): string =>
  invoiceIdOf({ partnerId: line.partnerId, month: nextMonth(monthOfInvoice(line)), currency: line.currency, testClockId: line.testClockId });

/** An invoice's append is caused by its first line's cause, and carries that cause's correlation. */
const signedFor = (metadata: EventMetadata, cause: RecordedEvent): EventMetadata => ({
  ...metadata,
  causationId: cause.id,
  correlationId: String(cause.metadata.correlationId ?? cause.id),
});
