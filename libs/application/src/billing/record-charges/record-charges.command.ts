import { Command } from '@nestjs/cqrs';
import type { SubscriptionEvent } from '@mfh/domain';
import { EventMetadata, eventsOfType, GlobalPosition, RecordedEvent } from '@mfh/event-store';

/** The subscription events rating may charge or credit for (SPEC §12); every other one charges nothing. */
export const chargingEvents = eventsOfType<SubscriptionEvent>()('BillingStarted', 'BillingCycleStarted', 'SeatsChanged', 'PlanChanged', 'Cancelled', 'SubscriptionRenewed');

export interface ChargesRecorded {
  /** Lines this call appended: none for a batch charged before. */
  recorded: number;
  /** Where the last of them went in the log; null when none was appended. */
  position: GlobalPosition | null;
}

/**
 * Puts the lines a batch of the log's subscription events causes on their billing periods' invoices.
 * Run again for the same events (a redelivered or replayed batch), it charges nothing twice.
 */
export class RecordSubscriptionCharges extends Command<ChargesRecorded> {
  constructor(
    readonly events: readonly RecordedEvent[],
    /** Who records them and when (wall time); each invoice's append names its first line's cause. */
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
