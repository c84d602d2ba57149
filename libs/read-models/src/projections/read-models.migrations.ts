import type { Migration } from '@mfh/event-store';

export const readModelMigrations: Migration[] = [
  {
    id: '001-partner-read-models',
    sql: `
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        position text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL,
        customer_id uuid NOT NULL,
        publisher_id text NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        revision bigint NOT NULL,
        state jsonb NOT NULL
      );
      CREATE INDEX subscriptions_by_customer ON subscriptions (customer_id, created_at, id);
      CREATE INDEX subscriptions_by_publisher ON subscriptions (publisher_id, created_at, id);
      CREATE TABLE customers (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL,
        company_name text NOT NULL,
        domain text,
        created_at timestamptz NOT NULL,
        revision bigint NOT NULL
      );
      CREATE INDEX customers_by_partner ON customers (partner_id, created_at, id);
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL,
        customer_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        revision bigint NOT NULL,
        state jsonb NOT NULL
      );
      CREATE INDEX orders_by_customer ON orders (customer_id, created_at, id);
    `,
  },
];
