import {
  ExistingSubscription,
  evolveSubscription,
  initialSubscriptionState,
  isSubscriptionEvent,
  subscriptionIdOf,
} from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';
import type { PoolClient } from 'pg';
import type { Projection, ProjectionRow } from '../projections/projection';

export interface SubscriptionRow extends ProjectionRow {
  readonly state: ExistingSubscription;
}

/** Every subscription with its full state, folded by the same `evolve` the command side uses. */
export const subscriptionsProjection: Projection<SubscriptionRow> = {
  name: 'subscriptions',
  tables: ['subscriptions'],

  keyOf: (event) => (isSubscriptionEvent(event) ? subscriptionIdOf(event.streamId) : null),

  evolve(row: SubscriptionRow | null, event: RecordedEvent): SubscriptionRow | null {
    if (!isSubscriptionEvent(event)) return row;
    const state = evolveSubscription(row?.state ?? initialSubscriptionState(), event);
    if (state.status === 'none') return row;
    return { key: state.id, revision: event.revision, state };
  },

  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, SubscriptionRow>> {
    const { rows } = await client.query<{ id: string; revision: string; state: ExistingSubscription }>(
      'SELECT id, revision, state FROM subscriptions WHERE id = ANY($1::uuid[])',
      [keys],
    );
    return new Map(rows.map((r) => [r.id, { key: r.id, revision: Number(r.revision), state: r.state }]));
  },

  async save(client: PoolClient, rows: readonly SubscriptionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO subscriptions (id, partner_id, customer_id, publisher_id, status, created_at, revision, state)
       SELECT r.id, r.partner_id, r.customer_id, r.publisher_id, r.status, r.created_at, r.revision, r.state
       FROM jsonb_to_recordset($1::jsonb) AS r(
         id uuid, partner_id text, customer_id uuid, publisher_id text, status text,
         created_at timestamptz, revision bigint, state jsonb)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, revision = EXCLUDED.revision, state = EXCLUDED.state`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.key,
            partner_id: r.state.partnerId,
            customer_id: r.state.customerId,
            publisher_id: r.state.publisherId,
            status: r.state.status,
            created_at: r.state.purchasedAt,
            revision: r.revision,
            state: r.state,
          })),
        ),
      ],
    );
  },
};
