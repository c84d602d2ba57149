import { runMigrationsWhenAvailable } from '@mfh/event-store';
import type { Pool, PoolClient } from 'pg';
import { decodeCursor, encodeCursor, InvalidContinuationTokenError, Page, PageRequest } from '../pagination';
import { notificationMigrations } from './notifications.migrations';

/**
 * How one attempt ended: the publisher took it, refused the change it announced (a 4xx to a change
 * that waits for its answer), another attempt is scheduled, or none will be.
 */
export type AttemptOutcome = 'delivered' | 'rejected' | 'retrying' | 'dead-lettered';
/** A delivery's state is its last attempt's outcome; `pending` before the first attempt. */
export type DeliveryState = 'pending' | AttemptOutcome;
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'rejected', 'retrying', 'dead-lettered'];

/** One notification to a publisher, caused by one event (whose id it carries, and its job too). */
export interface NewNotificationDelivery {
  id: string;
  subscriptionId: string;
  publisherId: string;
  operationId: string;
  action: string;
  operationStatus: string;
  eventType: string;
  payload: object;
  createdAt: Date;
}

export interface NotificationAttempt {
  deliveryId: string;
  /** 1 for the first POST, counting up. */
  attempt: number;
  operationId: string;
  subscriptionId: string;
  publisherId: string;
  /** Where it was posted; null when the publisher had no notification URL any more. */
  url: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The publisher's HTTP status; null when no response came (timeout, connection error). */
  httpStatus: number | null;
  error: string | null;
  outcome: AttemptOutcome;
  nextAttemptAt: string | null;
}

export type NewNotificationAttempt = Omit<NotificationAttempt, 'startedAt' | 'finishedAt' | 'nextAttemptAt'> & {
  startedAt: Date;
  finishedAt: Date;
  nextAttemptAt: Date | null;
};

export interface NotificationDelivery {
  id: string;
  subscriptionId: string;
  publisherId: string;
  operationId: string;
  action: string;
  operationStatus: string;
  eventType: string;
  payload: object;
  createdAt: string;
  state: DeliveryState;
  attemptCount: number;
  lastAttempt: NotificationAttempt | null;
}

export interface DeliveryFilter {
  subscriptionId?: string;
  state?: DeliveryState;
}

type Timestamp = Date | string;

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  operation_id: string;
  subscription_id: string;
  publisher_id: string;
  url: string | null;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  http_status: number | null;
  error: string | null;
  outcome: AttemptOutcome;
  next_attempt_at: Timestamp | null;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  publisher_id: string;
  operation_id: string;
  action: string;
  operation_status: string;
  event_type: string;
  payload: object;
  created_at: Date;
  attempt_count: string;
  last_attempt: AttemptRow | null;
}

const iso = (value: Timestamp): string => new Date(value).toISOString();

function toAttempt(row: AttemptRow): NotificationAttempt {
  return {
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    operationId: row.operation_id,
    subscriptionId: row.subscription_id,
    publisherId: row.publisher_id,
    url: row.url,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    httpStatus: row.http_status,
    error: row.error,
    outcome: row.outcome,
    nextAttemptAt: row.next_attempt_at === null ? null : iso(row.next_attempt_at),
  };
}

function toDelivery(row: DeliveryRow): NotificationDelivery {
  const lastAttempt = row.last_attempt ? toAttempt(row.last_attempt) : null;
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    publisherId: row.publisher_id,
    operationId: row.operation_id,
    action: row.action,
    operationStatus: row.operation_status,
    eventType: row.event_type,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
    state: lastAttempt?.outcome ?? 'pending',
    attemptCount: Number(row.attempt_count),
    lastAttempt,
  };
}

/** Deliveries with their attempt count and last attempt; $1 subscription, $2 state (both optional). */
const DELIVERIES = `
  SELECT d.*, last.row AS last_attempt,
         (SELECT count(*) FROM notification_attempts c WHERE c.delivery_id = d.id) AS attempt_count
  FROM notification_deliveries d
  LEFT JOIN LATERAL (
    SELECT to_jsonb(a) AS row, a.outcome FROM notification_attempts a WHERE a.delivery_id = d.id ORDER BY a.attempt DESC LIMIT 1
  ) last ON true
  WHERE ($1::uuid IS NULL OR d.subscription_id = $1::uuid)
    AND ($2::text IS NULL OR coalesce(last.outcome, 'pending') = $2::text)`;

/**
 * Notifications to publishers and every attempt to deliver them. The worker writes; the api's
 * admin endpoints read. Owns its tables and migrates them when opened.
 */
export class NotificationsRepository {
  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool, schema: string): Promise<NotificationsRepository> {
    await runMigrationsWhenAvailable(pool, schema, 'notifications', notificationMigrations);
    return new NotificationsRepository(pool);
  }

  /** Records deliveries inside the caller's transaction; returns the ids that were not recorded before. */
  async recordDeliveries(client: PoolClient, deliveries: readonly NewNotificationDelivery[]): Promise<Set<string>> {
    const fresh = new Set<string>();
    for (const d of deliveries) {
      const { rowCount } = await client.query(
        `INSERT INTO notification_deliveries
           (id, subscription_id, publisher_id, operation_id, action, operation_status, event_type, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [d.id, d.subscriptionId, d.publisherId, d.operationId, d.action, d.operationStatus, d.eventType, JSON.stringify(d.payload), d.createdAt],
      );
      if (rowCount === 1) fresh.add(d.id);
    }
    return fresh;
  }

  /** Idempotent per (delivery, attempt): a re-run of the same attempt (a stalled job) overwrites it. */
  async recordAttempt(a: NewNotificationAttempt): Promise<void> {
    await this.pool.query(
      `INSERT INTO notification_attempts (delivery_id, attempt, operation_id, subscription_id, publisher_id, url, started_at,
         finished_at, duration_ms, http_status, error, outcome, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (delivery_id, attempt) DO UPDATE SET url = excluded.url, started_at = excluded.started_at,
         finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, http_status = excluded.http_status,
         error = excluded.error, outcome = excluded.outcome, next_attempt_at = excluded.next_attempt_at`,
      [
        a.deliveryId,
        a.attempt,
        a.operationId,
        a.subscriptionId,
        a.publisherId,
        a.url,
        a.startedAt,
        a.finishedAt,
        a.durationMs,
        a.httpStatus,
        a.error,
        a.outcome,
        a.nextAttemptAt,
      ],
    );
  }

  /** When the first attempt numbered above `afterAttempt` started; null before any. */
  async firstAttemptStartedAt(deliveryId: string, afterAttempt = 0): Promise<Date | null> {
    const { rows } = await this.pool.query<{ first: Date | null }>(
      'SELECT min(started_at) AS first FROM notification_attempts WHERE delivery_id = $1 AND attempt > $2',
      [deliveryId, afterAttempt],
    );
    return rows[0].first;
  }

  async lastAttempt(deliveryId: string): Promise<NotificationAttempt | null> {
    const { rows } = await this.pool.query<AttemptRow>(
      'SELECT * FROM notification_attempts WHERE delivery_id = $1 ORDER BY attempt DESC LIMIT 1',
      [deliveryId],
    );
    return rows.length === 0 ? null : toAttempt(rows[0]);
  }

  async attempts(deliveryId: string): Promise<NotificationAttempt[]> {
    const { rows } = await this.pool.query<AttemptRow>('SELECT * FROM notification_attempts WHERE delivery_id = $1 ORDER BY attempt', [
      deliveryId,
    ]);
    return rows.map(toAttempt);
  }

  async delivery(id: string): Promise<NotificationDelivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>(`${DELIVERIES} AND d.id = $3`, [null, null, id]);
    return rows.length === 0 ? null : toDelivery(rows[0]);
  }

  /** Oldest first, by keyset on (created_at, id). */
  async deliveries(filter: DeliveryFilter, page: PageRequest): Promise<Page<NotificationDelivery>> {
    const cursor = page.continuationToken ? decodeCursor(page.continuationToken) : null;
    if (page.continuationToken && !cursor) throw new InvalidContinuationTokenError();
    const filters = [filter.subscriptionId ?? null, filter.state ?? null];
    const [{ rows }, counted] = await Promise.all([
      this.pool.query<DeliveryRow>(
        `${DELIVERIES} AND ($3::timestamptz IS NULL OR (d.created_at, d.id) > ($3::timestamptz, $4::uuid))
         ORDER BY d.created_at, d.id LIMIT $5`,
        [...filters, cursor?.createdAt ?? null, cursor?.id ?? null, page.size + 1],
      ),
      this.pool.query<{ count: string }>(`SELECT count(*) FROM (${DELIVERIES}) matching`, filters),
    ]);
    const more = rows.length > page.size;
    const items = (more ? rows.slice(0, page.size) : rows).map(toDelivery);
    const last = items[items.length - 1];
    return {
      items,
      totalCount: Number(counted.rows[0].count),
      continuationToken: more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }
}
