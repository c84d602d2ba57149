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

  /**
   * The last stream revision the projection applied, by subscription id (all of them when `ids` is
   * omitted): what the log once held, for telling a stream whose last events were deleted.
   */
  async appliedRevisions(ids?: readonly string[]): Promise<Map<string, number>> {
    const { rows } = ids
      ? await this.pool.query<{ id: string; revision: string }>('SELECT id, revision FROM subscriptions WHERE id = ANY($1::uuid[])', [ids])
      : await this.pool.query<{ id: string; revision: string }>('SELECT id, revision FROM subscriptions');
    return new Map(rows.map((row) => [row.id, Number(row.revision)]));
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
