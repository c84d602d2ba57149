import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { ExistingCustomer } from '@mfh/domain';

/** A partner's new customer; with an Idempotency-Key a resend creates nothing and answers the same customer. */
export class CreateCustomer extends Command<ExistingCustomer> {
  constructor(
    readonly partnerId: string,
    readonly companyName: string,
    readonly domain: string | null,
    /** Sandbox only: the test clock the customer lives on from now on. */
    readonly testClockId: string | null,
    readonly idempotencyKey: string | null,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
