import type { ApiClient } from './api-client';

export interface LineItem {
  offerId?: string;
  planId?: string;
  quantity?: number;
  termDuration?: 'P1M' | 'P1Y';
  billingCycle?: 'monthly' | 'annual';
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
