import type { ApiClient, ApiResponse } from './api-client';

export interface LineItem {
  offerId?: string;
  planId?: string;
  quantity?: number;
  termDuration?: 'P1M' | 'P1Y' | 'P2Y' | 'P3Y';
  billingCycle?: 'monthly' | 'annual' | 'upfront';
  friendlyName?: string;
  partnerIdOnRecord?: string;
}

export const lineItem = (overrides: LineItem = {}): Required<Pick<LineItem, 'offerId' | 'planId' | 'quantity' | 'termDuration' | 'billingCycle'>> & LineItem => ({
  offerId: 'fabrikam-crm',
  planId: 'standard',
  quantity: 5,
  termDuration: 'P1M',
  billingCycle: 'monthly',
  ...overrides,
});

export async function createCustomer(client: ApiClient, companyName = 'Adatum Corporation'): Promise<string> {
  const response = await client.post('/v1/customers', { body: { companyName, domain: 'adatum.com' } });
  if (response.status !== 201) throw new Error(`create customer: ${response.status} ${response.text}`);
  return response.body.id;
}

export interface Purchase {
  customerId: string;
  orderId: string;
  subscriptionId: string;
  path: string;
}

/** A customer with one freshly bought subscription. */
export async function purchase(client: ApiClient, item: LineItem = {}): Promise<Purchase> {
  const customerId = await createCustomer(client);
  const response = await client.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem(item)] } });
  if (response.status !== 201) throw new Error(`order: ${response.status} ${response.text}`);
  const subscriptionId = response.body.lineItems[0].subscriptionId;
  return { customerId, orderId: response.body.id, subscriptionId, path: `/v1/customers/${customerId}/subscriptions/${subscriptionId}` };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
};

/** An RFC 9457 problem with this status: its media type and the members every problem carries. */
export function expectProblem(response: ApiResponse, status: number): void {
  expect({ status: response.status, body: response.text }).toEqual({ status, body: expect.any(String) });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: TITLES[status], status, detail: expect.any(String) });
  expect(response.body.detail.trim()).not.toBe('');
}

export interface Snapshot {
  etag: string | null;
  body: Record<string, unknown>;
}

/** A resource as its owner reads it, to compare before and after; activation links carry a fresh code on every read. */
export async function snapshot(client: ApiClient, path: string): Promise<Snapshot> {
  const response = await client.get(path);
  if (response.status !== 200) throw new Error(`read ${path}: ${response.status} ${response.text}`);
  const { activationLink: _fresh, ...body } = response.body;
  return { etag: response.headers.get('etag'), body };
}
