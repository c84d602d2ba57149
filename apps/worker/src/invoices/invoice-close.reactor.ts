import { AppConfig } from '@mfh/config';
import { type ChargeRecorded, invoiceCloseDueAt, type InvoiceEvent, invoiceIdOfStream, monthOfInvoice, periodDatesOf } from '@mfh/domain';
import { eventsOfType, Recorded, RecordedEvent } from '@mfh/event-store';
import { JOBS, QUEUES, reactionTo } from '@mfh/messaging';
import { onWallClock, reactor } from '../reactors/reactor';

/** The instant an invoice whose period ends on `periodEnd` may be issued, in milliseconds. */
export const invoiceCloseDue = (periodEnd: string, config: AppConfig): number => Date.parse(invoiceCloseDueAt(periodEnd, config.INVOICE_CLOSE_DELAY));

const charged = eventsOfType<InvoiceEvent>()('ChargeRecorded');

/** A period's first line: its stream starts with it. A test clock's period (the line names the clock) is closed by an advance. */
const opensPeriod = (event: RecordedEvent): event is Recorded<ChargeRecorded> => charged(event) && event.revision === 0 && event.data.testClockId === null;

/** Each billing period on the wall clock gets one job, due INVOICE_CLOSE_DELAY after its month ends. */
export const invoiceCloseReactor = reactor({
  name: 'reactor-invoice-close',
  handles: onWallClock(opensPeriod),
  queue: QUEUES.invoices,
  job: (event, { config, clock }) => {
    const { periodEnd } = periodDatesOf(monthOfInvoice(event.data));
    return {
      name: JOBS.issueInvoice,
      data: { invoiceId: invoiceIdOfStream(event.streamId)!, periodEnd, ...reactionTo(event) },
      opts: { delay: Math.max(0, invoiceCloseDue(periodEnd, config) - clock.now().getTime()) },
    };
  },
});
