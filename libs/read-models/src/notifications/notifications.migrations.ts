import type { Migration } from '@mfh/event-store';

/**
 * Deliveries are written by the notification reactor in its checkpoint transaction; attempts by the
 * delivery processor. Attempts carry no foreign key: a job can run before the reactor's transaction
 * that recorded its delivery commits.
 */
export const notificationMigrations: Migration[] = [
  {
    id: '001-notification-deliveries-and-attempts',
    sql: `
      CREATE TABLE notification_deliveries (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL,
        publisher_id text NOT NULL,
        operation_id uuid NOT NULL,
        action text NOT NULL,
        operation_status text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX notification_deliveries_by_subscription ON notification_deliveries (subscription_id, created_at, id);
      CREATE INDEX notification_deliveries_by_time ON notification_deliveries (created_at, id);
      CREATE TABLE notification_attempts (
        delivery_id uuid NOT NULL,
        attempt integer NOT NULL,
        operation_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        publisher_id text NOT NULL,
        url text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        http_status integer,
        error text,
        outcome text NOT NULL,
        next_attempt_at timestamptz,
        PRIMARY KEY (delivery_id, attempt)
      );
    `,
  },
];
