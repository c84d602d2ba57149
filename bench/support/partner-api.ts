/**
 * The set-up a benchmark makes through the partner API before it measures anything: a token and
 * subscriptions bought the way a partner buys them, so that what is measured acts on real ones.
 */

/** Subscriptions per order: few orders, without one order large enough to be a case of its own. */
const LINES_PER_ORDER = 16;

export interface BoughtSubscription {
  customerId: string;
  subscriptionId: string;
}

/** A `contoso-partner` access token (client credentials). */
export function login(baseUrl: string): Promise<string> {
  return accessToken(baseUrl, 'contoso-partner', 'contoso-secret');
}

/** An access token of any client of the development catalog (client credentials): `admin`/`admin-secret`, say. */
export async function accessToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const body = await post(baseUrl, '/oauth2/token', null, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  return (body as { access_token: string }).access_token;
}

/** Fabrikam CRM subscriptions: customers with one order each, of up to 16 lines, one subscription per line. */
export async function buySubscriptions(baseUrl: string, token: string, count: number): Promise<BoughtSubscription[]> {
  const bought: BoughtSubscription[] = [];
  while (bought.length < count) {
    const lines = Math.min(LINES_PER_ORDER, count - bought.length);
    const customer = (await post(baseUrl, '/v1/customers', token, { companyName: 'Adatum Corporation', domain: 'adatum.com' })) as { id: string };
    const order = (await post(baseUrl, `/v1/customers/${customer.id}/orders`, token, {
      lineItems: Array.from({ length: lines }, (_, i) => ({
        offerId: 'fabrikam-crm',
        planId: 'standard',
        quantity: 5,
        termDuration: 'P1M',
        billingCycle: 'monthly',
        friendlyName: `seat block ${i + 1}`,
      })),
    })) as { lineItems: { subscriptionId: string }[] };
    for (const line of order.lineItems) bought.push({ customerId: customer.id, subscriptionId: line.subscriptionId });
  }
  return bought;
}

/** A JSON POST that must succeed; set-up has no use for a failure other than stopping the run. */
async function post(baseUrl: string, path: string, token: string | null, body: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}
