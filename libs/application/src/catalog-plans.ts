import { billingCyclesOfTerm, type Catalog, type PlanEntry } from '@mfh/config';
import type { CatalogPlan, OfferTerm } from '@mfh/domain';

/** What the domain needs to know of a catalog plan: a plan change records the new plan's price for the subscription's term. */
export const catalogPlan = ({ id, minQuantity, maxQuantity, isPrivate, isPricePerSeat, prices, freeTrial }: PlanEntry): CatalogPlan => ({
  id,
  minQuantity,
  maxQuantity,
  isPrivate,
  isPricePerSeat,
  prices: prices.map(({ termDuration, unitPrice, currency }) => ({ termDuration, unitPrice, currency })),
  ...(freeTrial ? { freeTrial: { duration: freeTrial.duration } } : {}),
});

/** Every plan of the offer, as the domain knows plans; none for an offer the catalog no longer has. */
export const catalogPlansOf = (catalog: Catalog, offerId: string): CatalogPlan[] => (catalog.offer(offerId)?.plans ?? []).map(catalogPlan);

/** The terms the offer sells and how each may be billed, as the domain knows them; none for an offer the catalog no longer has. */
export const catalogTermsOf = (catalog: Catalog, offerId: string): OfferTerm[] =>
  (catalog.offer(offerId)?.terms ?? []).map((term) => ({ termDuration: term.termDuration, billingCycles: [...billingCyclesOfTerm(term)] }));
