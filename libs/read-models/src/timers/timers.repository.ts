import type { Pool, PoolClient } from 'pg';
import type { SubscriptionTimersRow, TimerEntry } from './timer.row';

interface TimersRecord {
  id: string;
  revision: string;
  timers: TimerEntry[];
}

const fromRecord = (r: TimersRecord): SubscriptionTimersRow => ({ key: r.id, revision: Number(r.revision), timers: r.timers });

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const timersTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, SubscriptionTimersRow>> {
    const { rows } = await client.query<TimersRecord>('SELECT id, revision, timers FROM subscription_timers WHERE id = ANY($1::uuid[])', [keys]);
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  async save(client: PoolClient, rows: readonly SubscriptionTimersRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO subscription_timers (id, revision, timers)
       SELECT r.id, r.revision, r.timers FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, revision bigint, timers jsonb)
       ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, timers = EXCLUDED.timers`,
      [JSON.stringify(rows.map((r) => ({ id: r.key, revision: r.revision, timers: r.timers })))],
    );
  },
};

/** Reads of the timers read model. */
export class TimersRepository {
  constructor(private readonly pool: Pool) {}

  async forSubscription(subscriptionId: string): Promise<readonly TimerEntry[]> {
    const { rows } = await this.pool.query<{ timers: TimerEntry[] }>('SELECT timers FROM subscription_timers WHERE id = $1', [subscriptionId]);
    return rows[0]?.timers ?? [];
  }
}
