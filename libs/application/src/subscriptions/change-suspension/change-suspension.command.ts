import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { SubscriptionResult } from '../subscription-result';

/** Suspend, for these reasons; or ask to reinstate (the publisher answers). */
export type SuspensionChange = { suspend: readonly string[] } | { reinstate: true };

/** The admin's suspension or reinstatement of any subscription (SPEC §13), as the marketplace. */
export class ChangeSuspension extends Command<SubscriptionResult> {
  constructor(
    readonly subscriptionId: string,
    readonly change: SuspensionChange,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
