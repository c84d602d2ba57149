import type { Catalog } from '@mfh/config';
import type { OrderLineRequest } from '@mfh/domain';
import { catalogPlan } from '../../catalog-plans';
import type { OrderLine } from './place-order.command';

/** The line as sent, with what the catalog holds for it; the order decider names whatever is missing. */
export function orderLineRequest(catalog: Catalog, line: OrderLine, subscriptionId: string): OrderLineRequest {
  const offer = catalog.offer(line.offerId);
  const plan = catalog.plan(line.offerId, line.planId);
  const terms = catalog.purchaseTerms(line.offerId, line.planId, line.termDuration);
  return {
    ...line,
    subscriptionId,
    offer: offer ? { id: offer.id, name: offer.name } : null,
    plan: plan ? catalogPlan(plan) : null,
    terms: terms
      ? {
          publisherId: terms.publisher.id,
          publisherName: terms.publisher.name,
          unitPrice: terms.price.unitPrice,
          currency: terms.price.currency,
          cancellationWindowMs: terms.cancellationWindowMs,
          billingCycles: terms.billingCycles,
        }
      : null,
  };
}
