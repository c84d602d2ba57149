import type { ExistingSubscription } from '@mfh/domain';
import type { Pool } from 'pg';
import { keysetPage, Page, PageRequest } from '../pagination';

/** Reads of the subscriptions read model; writes happen only through the projection. */
export class SubscriptionsRepository {
  constructor(private readonly pool: Pool) {}

  listForCustomer(partnerId: string, customerId: string, page: PageRequest): Promise<Page<ExistingSubscription>> {
    return keysetPage<{ state: ExistingSubscription }, ExistingSubscription>(
      this.pool,
      { table: 'subscriptions', columns: 'state', where: 'customer_id = $1 AND partner_id = $2', params: [customerId, partnerId] },
      page,
      (row) => row.state,
    );
  }

  /** Every subscription of the publisher's offers, oldest first, cancelled ones included (they are never deleted). */
  listForPublisher(publisherId: string, page: PageRequest): Promise<Page<ExistingSubscription>> {
    return keysetPage<{ state: ExistingSubscription }, ExistingSubscription>(
      this.pool,
      { table: 'subscriptions', columns: 'state', where: 'publisher_id = $1', params: [publisherId] },
      page,
      (row) => row.state,
    );
  }
}
