import { Query } from '@nestjs/cqrs';
import type { PartnerSubscriptionView } from '@mfh/read-models';

/** The subscription as it stood then, rebuilt by replay. */
export interface AuditedSubscriptionState {
  subscriptionId: string;
  /** The revision of the last event applied. */
  revision: number;
  /** Business time (metadata.occurredAt) of the last event applied. */
  occurredAt: string;
  /** When the store wrote the last event applied. */
  recordedAt: string;
  /** The asOf asked for; null when asked by revision. */
  asOf: string | null;
  /** In the partner API's shape, without an activation link (replaying history issues no code). */
  subscription: PartnerSubscriptionView;
}

/** A subscription at a revision or at a business time (auditor): exactly one of `asOf` (ISO 8601) and `revision`. */
export class GetSubscriptionState extends Query<AuditedSubscriptionState> {
  constructor(
    readonly subscriptionId: string,
    readonly asOf: string | undefined,
    readonly revision: number | undefined,
  ) {
    super();
  }
}
