import type { OfferEntry, PlanEntry } from '@mfh/config';
import { isPlanAvailable, type TermDuration } from '@mfh/domain';

export interface SaasRecurrentBillingTerm {
  currency: string;
  price: number;
  /** Microsoft's TermUnit (it has P4Y and P5Y too; the catalog sells up to P3Y). */
  termUnit: TermDuration;
  termDescription: string;
}

export interface SaasPlanComponents {
  recurrentBillingTerms: SaasRecurrentBillingTerm[];
  meteringDimensions: never[];
}

/** Microsoft's `Plan` schema. The catalog has no markets, so `market` is left out. */
export interface SaasPlan {
  planId: string;
  displayName: string;
  isPrivate: boolean;
  description: string;
  minQuantity: number;
  maxQuantity: number;
  hasFreeTrials: boolean;
  isPricePerSeat: boolean;
  isStopSell: boolean;
  planComponents: SaasPlanComponents;
}

const TERM_DESCRIPTIONS: Record<TermDuration, string> = { P1M: '1 month', P1Y: '1 year', P2Y: '2 years', P3Y: '3 years' };

export function saasPlan(plan: PlanEntry): SaasPlan {
  return {
    planId: plan.id,
    displayName: plan.name,
    isPrivate: plan.isPrivate,
    description: plan.description,
    minQuantity: plan.minQuantity,
    maxQuantity: plan.maxQuantity,
    hasFreeTrials: plan.hasFreeTrials,
    isPricePerSeat: plan.isPricePerSeat,
    // The catalog only lists plans on sale.
    isStopSell: false,
    planComponents: {
      recurrentBillingTerms: plan.prices.map((price) => ({
        currency: price.currency,
        price: Number(price.unitPrice),
        termUnit: price.termDuration,
        termDescription: TERM_DESCRIPTIONS[price.termDuration],
      })),
      meteringDimensions: [],
    },
  };
}

/** The plans the subscription may be on, the current one included; `planId` narrows them to that one (none when unknown). */
export function availablePlans(offer: OfferEntry, currentPlanId: string, planId?: string): SaasPlan[] {
  return offer.plans.filter((plan) => isPlanAvailable(plan, currentPlanId) && (planId === undefined || plan.id === planId)).map(saasPlan);
}
