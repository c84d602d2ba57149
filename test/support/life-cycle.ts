import { eventually } from '@mfh/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiClient } from './api-client';
import { startSystem, TestSystem } from './system';
import { licensesAssigned, sendCallback } from './webhooks';
import { ReceivedRequest, WebhookReceiver } from './webhook-receiver';

export const SAAS = '/api/saas/subscriptions';
export const API_VERSION = 'api-version=2018-08-31';
export const LINES = 'provider=onetime&invoicelineitemtype=billinglineitems';

/** An event as the auditor's history shows it. */
export interface AuditedEvent {
  id: string;
  type: string;
  data: any;
  metadata: any;
}

/** A subscription bought by contoso for one of its customers. */
export interface Bought {
  customerId: string;
  subscriptionId: string;
  path: string;
}

/**
 * A sandbox system whose publisher (fabrikam) is notified at a webhook receiver that verifies its
 * tokens, with every client signed in: what the life-cycle e2e tests (suspension, trials, changes at
 * renewal) drive through test clocks, the partner and fulfillment APIs, and the auditor's history.
 */
export class LifeCycleSandbox {
  private constructor(
    readonly system: TestSystem,
    readonly receiver: WebhookReceiver,
    private readonly dir: string,
    readonly admin: ApiClient,
    readonly contoso: ApiClient,
    readonly northwind: ApiClient,
    readonly fabrikam: ApiClient,
    readonly auditor: ApiClient,
  ) {}

  static async start(name: string): Promise<LifeCycleSandbox> {
    const receiver = await WebhookReceiver.start();
    const dir = mkdtempSync(join(tmpdir(), `mfh-${name}-`));
    const catalog = JSON.parse(readFileSync(resolve(__dirname, '../..', 'config/catalog.development.json'), 'utf8'));
    catalog.publishers.find((p: { id: string }) => p.id === 'fabrikam').notificationUrl = receiver.url;
    writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
    const system = await startSystem({ env: { SANDBOX: 'true', CATALOG_FILE: join(dir, 'catalog.json') } });
    receiver.trust(`${system.baseUrl}/.well-known/jwks.json`, 'fabrikam');
    const [admin, contoso, northwind, fabrikam, auditor] = await Promise.all(
      (['admin', 'contoso', 'northwind', 'fabrikam', 'auditor'] as const).map((client) => system.client(client)),
    );
    return new LifeCycleSandbox(system, receiver, dir, admin, contoso, northwind, fabrikam, auditor);
  }

  async close(): Promise<void> {
    await this.system.close();
    await this.receiver.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async createClock(name: string, frozenTime: string): Promise<string> {
    const created = await this.admin.post('/v1/admin/test-clocks', { body: { name, frozenTime } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** Advances the clock and waits until the advance has applied everything it fired. */
  async advance(testClockId: string, frozenTime: string): Promise<void> {
    expect((await this.admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime } })).status).toBe(202);
    await eventually(() => this.admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body.status === 'ready', 30_000);
  }

  async customer(companyName: string, testClockId: string | null): Promise<string> {
    const created = await this.contoso.post('/v1/customers', { body: { companyName, ...(testClockId ? { testClockId } : {}) } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async eventsOf(subscriptionId: string): Promise<AuditedEvent[]> {
    const response = await this.auditor.get(`/v1/audit/subscriptions/${subscriptionId}/events`);
    expect(response.status).toBe(200);
    return response.body.events;
  }

  async typesOf(subscriptionId: string): Promise<string[]> {
    return (await this.eventsOf(subscriptionId)).map((e) => e.type);
  }

  async ofType(subscriptionId: string, type: string): Promise<AuditedEvent[]> {
    return (await this.eventsOf(subscriptionId)).filter((e) => e.type === type);
  }

  /** The notifications of one action the receiver got about the subscription, once there are `count`. */
  async notices(subscriptionId: string, action: string, count = 1): Promise<ReceivedRequest[]> {
    const requests = await this.receiver.waitFor(subscriptionId, (all) => all.filter((r) => r.body?.action === action).length >= count);
    return requests.filter((r) => r.body?.action === action);
  }

  /**
   * One line ordered by contoso for the customer, activated by the publisher and licensed by a
   * signed callback: billing runs once this resolves.
   */
  async billed(customerId: string, line: { planId: string; quantity: number }): Promise<Bought> {
    const order = await this.contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [line] } });
    expect(order.status).toBe(201);
    const subscriptionId: string = order.body.lineItems[0].subscriptionId;
    const path = `/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
    const activated = await this.fabrikam.post(`${SAAS}/${subscriptionId}/activate?${API_VERSION}`, { body: { planId: line.planId, quantity: line.quantity } });
    expect(activated.status).toBe(200);
    expect((await sendCallback(this.system.baseUrl, licensesAssigned(subscriptionId, line.quantity))).status).toBe(202);
    await eventually(() => this.contoso.get(path), (r) => r.body.status === 'active');
    return { customerId, subscriptionId, path };
  }
}
