import { Command } from '@nestjs/cqrs';
import type { NextTermInstructions } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import type { SubscriptionResult } from '../subscription-result';

/** What one partner PATCH asks for; every member left out stays as it is. */
export interface SubscriptionChanges {
  friendlyName?: string;
  quantity?: number;
  autoRenewEnabled?: boolean;
  /** The indirect reseller's MPN ID; null removes it. */
  partnerId?: string | null;
  status?: 'deleted' | 'suspended' | 'active';
  suspensionReasons?: readonly string[];
  /** Changes at the next renewal; null clears them. */
  scheduledNextTermInstructions?: NextTermInstructions | null;
}

/** The partner's PATCH: rename, seats, auto-renew, indirect reseller, cancellation, all or nothing. */
export class UpdateSubscription extends Command<SubscriptionResult> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly subscriptionId: string,
    readonly changes: SubscriptionChanges,
    readonly expectedRevision: number | undefined,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
