import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { type InvoiceCommand, type InvoiceEvent, type InvoiceLine, type InvoiceState, invoiceCloseDueAt, invoiceStream, isDomainError } from '@mfh/domain';
import { invoiceDecider } from '@mfh/domain/deciders';
import { derivedId, EventStore } from '@mfh/event-store';
import { InvoiceLinesHash } from '@mfh/read-models';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { IssueInvoice, IssueInvoiceOutcome } from './issue-invoice.command';

/** Hashes taken again when charges keep landing between a hash and the decision on it. */
const ATTEMPTS = 5;
/** Events per read of the invoice stream while hashing. */
const PAGE = 1_000;

/** Dated at its due time, with an id derived from the invoice: however late or often it runs, the period is issued once, the same way. */
@CommandHandler(IssueInvoice)
export class IssueInvoiceHandler implements ICommandHandler<IssueInvoice> {
  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
    private readonly config: AppConfig,
  ) {}

  async execute({ invoiceId, metadata, dueAt }: IssueInvoice): Promise<TimerFired<IssueInvoiceOutcome>> {
    const stream = invoiceStream(invoiceId);
    for (let attempt = 1; ; attempt++) {
      const { state, hash } = await this.read(stream);
      if (state.status !== 'open') return { outcome: 'nothing-to-do', position: null };
      const closeAt = invoiceCloseDueAt(state.periodEnd, this.config.INVOICE_CLOSE_DELAY);
      if (Date.parse(dueAt ?? metadata.occurredAt) < Date.parse(closeAt)) return { outcome: 'nothing-to-do', position: null };
      const command: InvoiceCommand = { type: 'IssueInvoice', data: { invoiceDate: closeAt, lineCount: hash.lineCount, linesHash: hash.digest() } };
      try {
        const result = await this.executor.execute({
          stream,
          decider: invoiceDecider,
          commands: command,
          metadata,
          at: closeAt,
          eventId: (index) => derivedId(invoiceId, 'issued', index),
        });
        return { outcome: result.appended.length > 0 ? 'issued' : 'nothing-to-do', position: result.position };
      } catch (error) {
        // A charge landed after the lines were hashed: hash them again, with it.
        if (!isDomainError(error) || error.code !== 'invoice-changed' || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** The invoice's state and the hash of its lines, in one pass over its stream, a page at a time. */
  private async read(stream: string): Promise<{ state: InvoiceState; hash: InvoiceLinesHash }> {
    let state = invoiceDecider.initialState();
    const hash = new InvoiceLinesHash();
    for (let fromRevision = 0; ; ) {
      const page = await this.store.readStream(stream, { fromRevision, maxCount: PAGE });
      for (const event of page) {
        state = invoiceDecider.evolve(state, event as unknown as InvoiceEvent);
        if (event.type === 'ChargeRecorded') hash.add(event.data as unknown as InvoiceLine);
      }
      if (page.length < PAGE) return { state, hash };
      fromRevision = page[page.length - 1].revision + 1;
    }
  }
}
