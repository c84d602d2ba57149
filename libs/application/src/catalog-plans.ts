import type { Catalog, PlanEntry } from '@mfh/config';
import type { CatalogPlan } from '@mfh/domain';

/** What the domain needs to know of a catalog plan. */
export const catalogPlan = ({ id, minQuantity, maxQuantity, isPrivate, isPricePerSeat }: PlanEntry): CatalogPlan => ({
  id,
  minQuantity,
  maxQuantity,
  isPrivate,
  isPricePerSeat,
});

/** Every plan of the offer, as the domain knows plans; none for an offer the catalog no longer has. */
export const catalogPlansOf = (catalog: Catalog, offerId: string): CatalogPlan[] => (catalog.offer(offerId)?.plans ?? []).map(catalogPlan);
