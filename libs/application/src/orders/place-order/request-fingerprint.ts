import { createHash } from 'node:crypto';
import type { OrderLine } from './place-order.command';

/** What makes two requests "the same order" for an Idempotency-Key: the customer and every line as sent. */
export function requestFingerprint(customerId: string, lines: readonly OrderLine[]): string {
  const sent = lines.map((i) => [i.offerId, i.planId, i.quantity, i.termDuration, i.billingCycle, i.friendlyName ?? null, i.partnerIdOnRecord ?? null]);
  return createHash('sha256').update(JSON.stringify([customerId, sent])).digest('base64url');
}
