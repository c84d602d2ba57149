import type { Catalog, PlanEntry } from '@mfh/config';
import type { CatalogPlan } from '@mfh/domain';

/** What the domain needs to know of a catalog plan: a plan change records the new plan's price for the subscription's term. */
export const catalogPlan = ({ id, minQuantity, maxQuantity, isPrivate, isPricePerSeat, prices }: PlanEntry): CatalogPlan => ({
  id,
  minQuantity,
  maxQuantity,
  isPrivate,
  isPricePerSeat,
  prices: prices.map(({ termDuration, unitPrice, currency }) => ({ termDuration, unitPrice, currency })),
});

/** Every plan of the offer, as the domain knows plans; none for an offer the catalog no longer has. */
export const catalogPlansOf = (catalog: Catalog, offerId: string): CatalogPlan[] => (catalog.offer(offerId)?.plans ?? []).map(catalogPlan);
