import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ApiClient, ApiResponse } from './api-client';
import { lineItem } from './fixtures';
import { deliver, licensesAssigned, signCallback } from './webhooks';

/**
 * Partners and a publisher that behave as the README tells clients to: a request answered 5xx, or
 * one whose connection broke, is sent again unchanged (same Idempotency-Key, same webhook-id) until
 * it gets an answer below 500. What was acknowledged is what must be applied, exactly once.
 */
export interface Acknowledged {
  customers: string[];
  orders: { customerId: string; orderId: string; subscriptionIds: string[] }[];
  /** Subscriptions whose LicensesAssigned callback got its 202. */
  licensed: string[];
}

export interface TrafficStats {
  /** Answers of 500 and above, by status. */
  serverErrors: Record<number, number>;
  /** Requests whose connection failed before an answer. */
  networkErrors: number;
  /** 5xx answers that were not `store-unavailable` or `callback-not-queued` problems. */
  unexpected: string[];
}

const LINES_PER_ORDER = 2;
const RESEND_PAUSE_MS = 200;

export class SteadyTraffic {
  readonly acknowledged: Acknowledged = { customers: [], orders: [], licensed: [] };
  readonly stats: TrafficStats = { serverErrors: {}, networkErrors: 0, unexpected: [] };
  private stopped = false;

  constructor(
    private readonly partner: ApiClient,
    private readonly baseUrl: string,
    private readonly deadlineMs = 120_000,
  ) {}

  /** Runs `orders` purchases (customer, order, then a callback per subscription) in `lanes` parallel lanes. */
  async run(orders: number, lanes: number, onProgress?: (done: number) => void): Promise<void> {
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < orders && !this.stopped) {
        next++;
        await this.purchase();
        onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  stop(): void {
    this.stopped = true;
  }

  private async purchase(): Promise<void> {
    const key = randomUUID();
    const customer = await this.resend(() =>
      this.partner.post('/v1/customers', { body: { companyName: `Steady ${key.slice(0, 8)}` }, headers: { 'idempotency-key': `customer-${key}` } }),
    );
    if (customer.status !== 201) throw new Error(`customer: ${customer.status} ${customer.text}`);
    this.acknowledged.customers.push(customer.body.id);
    const order = await this.resend(() =>
      this.partner.post(`/v1/customers/${customer.body.id}/orders`, {
        body: { lineItems: Array.from({ length: LINES_PER_ORDER }, () => lineItem({ quantity: 3 })) },
        headers: { 'idempotency-key': `order-${key}` },
      }),
    );
    if (order.status !== 201) throw new Error(`order: ${order.status} ${order.text}`);
    const subscriptionIds: string[] = order.body.lineItems.map((line: { subscriptionId: string }) => line.subscriptionId);
    this.acknowledged.orders.push({ customerId: customer.body.id, orderId: order.body.id, subscriptionIds });
    for (const subscriptionId of subscriptionIds) {
      const webhookId = `msg_${randomUUID()}`;
      // Each resend is signed anew (a fresh timestamp) over the same body, as publishers' libraries do.
      const answer = await this.resend(() => deliver(this.baseUrl, signCallback(licensesAssigned(subscriptionId, 3), { id: webhookId })));
      if (answer.status !== 202) throw new Error(`callback: ${answer.status} ${answer.text}`);
      this.acknowledged.licensed.push(subscriptionId);
    }
  }

  private async resend(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
    const deadline = Date.now() + this.deadlineMs;
    for (;;) {
      try {
        const response = await send();
        if (response.status < 500) return response;
        this.stats.serverErrors[response.status] = (this.stats.serverErrors[response.status] ?? 0) + 1;
        const type = (response.body as { type?: string } | undefined)?.type;
        if (response.status !== 503 || !['/problems/store-unavailable', '/problems/callback-not-queued'].includes(type ?? '')) {
          this.stats.unexpected.push(`${response.status} ${response.text.slice(0, 300)}`);
        } else if (!response.headers.get('retry-after')) {
          this.stats.unexpected.push(`503 without Retry-After: ${response.text.slice(0, 300)}`);
        }
      } catch {
        this.stats.networkErrors++;
      }
      if (Date.now() > deadline) throw new Error(`no answer below 500 within ${this.deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, RESEND_PAUSE_MS));
    }
  }
}

/** Counts of the events that acknowledged requests must have caused, each of which must be exactly 1. */
export async function appliedOnce(db: Pool, acknowledged: Acknowledged): Promise<{ wrong: string[]; events: Record<string, number> }> {
  const { rows } = await db.query<{ stream_id: string; event_type: string; count: string }>(
    'SELECT stream_id, event_type, count(*) FROM events GROUP BY stream_id, event_type',
  );
  const counts = new Map(rows.map((row) => [`${row.stream_id}/${row.event_type}`, Number(row.count)]));
  const expected: string[] = [
    ...acknowledged.customers.map((id) => `customer-${id}/CustomerCreated`),
    ...acknowledged.orders.flatMap((o) => [`order-${o.orderId}/OrderPlaced`, `order-${o.orderId}/OrderCompleted`]),
    ...acknowledged.orders.flatMap((o) => o.subscriptionIds.map((id) => `subscription-${id}/SubscriptionPurchased`)),
    ...acknowledged.licensed.map((id) => `subscription-${id}/PublisherActivated`),
  ];
  const wrong = expected.filter((key) => counts.get(key) !== 1).map((key) => `${key}: ${counts.get(key) ?? 0}`);
  const events: Record<string, number> = {};
  for (const row of rows) events[row.event_type] = (events[row.event_type] ?? 0) + Number(row.count);
  return { wrong, events };
}
