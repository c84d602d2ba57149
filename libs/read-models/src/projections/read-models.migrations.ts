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
  {
    // The lists get rows of their own instead of the command side's state as jsonb; both
    // projections start again from the beginning of the log and rebuild them.
    id: '002-list-rows',
    sql: `
      DROP TABLE subscriptions;
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        revision bigint NOT NULL,
        partner_id text NOT NULL,
        customer_id uuid NOT NULL,
        order_id uuid NOT NULL,
        line_item_number integer NOT NULL,
        offer_id text NOT NULL,
        offer_name text NOT NULL,
        plan_id text NOT NULL,
        publisher_id text NOT NULL,
        publisher_name text NOT NULL,
        friendly_name text NOT NULL,
        quantity integer NOT NULL,
        status text NOT NULL,
        term_duration text NOT NULL,
        billing_cycle text NOT NULL,
        auto_renew_enabled boolean NOT NULL,
        indirect_reseller_id text,
        created_at timestamptz NOT NULL,
        cancellation_allowed_until timestamptz NOT NULL,
        licenses_assigned boolean NOT NULL,
        fulfillment_confirmed boolean NOT NULL,
        action jsonb,
        billing_start_date date,
        term_start date,
        term_end date,
        pending_operations jsonb NOT NULL
      );
      CREATE INDEX subscriptions_by_customer ON subscriptions (customer_id, created_at, id);
      CREATE INDEX subscriptions_by_publisher ON subscriptions (publisher_id, created_at, id);
      DROP TABLE orders;
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        revision bigint NOT NULL,
        partner_id text NOT NULL,
        customer_id uuid NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        line_items jsonb NOT NULL
      );
      CREATE INDEX orders_by_customer ON orders (customer_id, created_at, id);
      UPDATE projection_checkpoints SET position = '', updated_at = now() WHERE name IN ('subscriptions', 'orders');
    `,
  },
  {
    id: '003-subscription-timers',
    sql: `
      CREATE TABLE subscription_timers (
        id uuid PRIMARY KEY,
        revision bigint NOT NULL,
        timers jsonb NOT NULL
      );
    `,
  },
  {
    id: '004-test-clocks',
    // Rows from before hold no test clock, so the new columns' null is already right for them.
    sql: `
      ALTER TABLE customers ADD COLUMN test_clock_id uuid;
      ALTER TABLE subscriptions ADD COLUMN test_clock_id uuid;
      ALTER TABLE subscription_timers ADD COLUMN test_clock_id uuid;
      CREATE INDEX subscription_timers_by_test_clock ON subscription_timers (test_clock_id) WHERE test_clock_id IS NOT NULL;
      CREATE TABLE test_clocks (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        frozen_time timestamptz NOT NULL,
        status text NOT NULL,
        advancing_to timestamptz,
        created_at timestamptz NOT NULL,
        revision bigint NOT NULL
      );
      CREATE INDEX test_clocks_by_creation ON test_clocks (created_at, id);
    `,
  },
  {
    id: '005-invoices',
    // A line keeps its wire view's exact JSON text: reconciliation files are these bytes, and a
    // rebuild compares them byte for byte.
    sql: `
      CREATE TABLE invoices (
        id text PRIMARY KEY,
        revision bigint NOT NULL,
        partner_id text NOT NULL,
        test_clock_id text,
        currency text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        status text NOT NULL,
        invoice_date timestamptz,
        total bigint NOT NULL,
        line_count integer NOT NULL,
        lines_hash text
      );
      CREATE INDEX invoices_issued_by_partner ON invoices (partner_id, invoice_date DESC, id DESC) WHERE status = 'issued';
      CREATE INDEX invoices_open_by_test_clock ON invoices (test_clock_id) WHERE status = 'open' AND test_clock_id IS NOT NULL;
      CREATE TABLE invoice_lines (
        id uuid PRIMARY KEY,
        invoice_id text NOT NULL,
        revision bigint NOT NULL,
        line text NOT NULL,
        UNIQUE (invoice_id, revision)
      );
    `,
  },
  {
    id: '006-subscription-charges',
    // The current billing cycle and the term's charges were never kept, and the revision check would
    // skip every event a row has seen: the projection starts again from the beginning of the log.
    sql: `
      ALTER TABLE subscriptions ADD COLUMN cycle_start date;
      ALTER TABLE subscriptions ADD COLUMN term_charges jsonb;
      CREATE INDEX subscriptions_by_partner ON subscriptions (partner_id, test_clock_id, created_at);
      DELETE FROM subscriptions;
      UPDATE projection_checkpoints SET position = '', updated_at = now() WHERE name = 'subscriptions';
    `,
  },
  {
    id: '007-subscription-suspension',
    // No earlier event suspends anything, so the rows stay as they are.
    sql: `ALTER TABLE subscriptions ADD COLUMN suspension_reasons jsonb;`,
  },
  {
    id: '008-subscription-trials',
    // No earlier subscription was a free trial.
    sql: `ALTER TABLE subscriptions ADD COLUMN is_trial boolean NOT NULL DEFAULT false;`,
  },
  {
    id: '009-subscription-scheduled-next-term',
    // No earlier event scheduled changes at renewal.
    sql: `ALTER TABLE subscriptions ADD COLUMN scheduled_next_term jsonb;`,
  },
];
