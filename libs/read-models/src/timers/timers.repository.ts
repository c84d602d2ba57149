import type { Pool, PoolClient } from 'pg';
import type { InvoiceCloseTimer } from '../invoices/invoices.repository';
import type { SubscriptionTimersRow, TimerEntry } from './timer.row';

interface TimersRecord {
  id: string;
  revision: string;
  timers: TimerEntry[];
  test_clock_id: string | null;
}

const fromRecord = (r: TimersRecord): SubscriptionTimersRow => ({ key: r.id, revision: Number(r.revision), timers: r.timers, testClockId: r.test_clock_id });

/** The projection's side of the table: rows by key, and upserts, inside the runner's transaction. */
export const timersTable = {
  async load(client: PoolClient, keys: readonly string[]): Promise<Map<string, SubscriptionTimersRow>> {
    const { rows } = await client.query<TimersRecord>('SELECT id, revision, timers, test_clock_id FROM subscription_timers WHERE id = ANY($1::uuid[])', [keys]);
    return new Map(rows.map((r) => [r.id, fromRecord(r)]));
  },

  async save(client: PoolClient, rows: readonly SubscriptionTimersRow[]): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO subscription_timers (id, revision, timers, test_clock_id)
       SELECT r.id, r.revision, r.timers, r.test_clock_id
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, revision bigint, timers jsonb, test_clock_id uuid)
       ON CONFLICT (id) DO UPDATE SET revision = EXCLUDED.revision, timers = EXCLUDED.timers, test_clock_id = EXCLUDED.test_clock_id`,
      [JSON.stringify(rows.map((r) => ({ id: r.key, revision: r.revision, timers: r.timers, test_clock_id: r.testClockId })))],
    );
  },
};

/** Reads of the timers read model. */
export class TimersRepository {
  constructor(private readonly pool: Pool) {}

  async forSubscription(subscriptionId: string): Promise<{ timers: readonly TimerEntry[]; testClockId: string | null }> {
    const { rows } = await this.pool.query<{ timers: TimerEntry[]; test_clock_id: string | null }>(
      'SELECT timers, test_clock_id FROM subscription_timers WHERE id = $1',
      [subscriptionId],
    );
    return { timers: rows[0]?.timers ?? [], testClockId: rows[0]?.test_clock_id ?? null };
  }

  /** The pending timers of a test clock's subscriptions due at or before `until`, soonest first. */
  async dueOnTestClock(testClockId: string, until: string, autoAcceptMs: number): Promise<SubscriptionDueTimer[]> {
    const { rows } = await this.pool.query<{ subscription_id: string; timer: TimerEntry; due_at: Date }>(
      `WITH pending AS (
         SELECT s.id AS subscription_id, t AS timer,
                COALESCE((t->>'dueAt')::timestamptz, (t->>'startedAt')::timestamptz + make_interval(secs => $3::float8 / 1000)) AS due_at
         FROM subscription_timers s, jsonb_array_elements(s.timers) t
         WHERE s.test_clock_id = $1 AND t->>'state' = 'pending'
       )
       SELECT subscription_id, timer, due_at FROM pending WHERE due_at <= $2::timestamptz ORDER BY due_at`,
      [testClockId, until, autoAcceptMs],
    );
    return rows.map((r) => ({ subscriptionId: r.subscription_id, timer: r.timer, dueAt: r.due_at.toISOString() }));
  }
}

/** A pending timer of a subscription and the business time it falls due at. */
export interface SubscriptionDueTimer {
  subscriptionId: string;
  timer: TimerEntry;
  dueAt: string;
}

/** What an advance fires: a subscription's timer, or the close of an open invoice. */
export type DueTimer = SubscriptionDueTimer | InvoiceCloseTimer;
