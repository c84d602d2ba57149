/** Publisher callbacks as a publisher sends them: Standard Webhooks signatures over the exact body. */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { httpPost } from './http-post';

/** Fabrikam's callback secret in the development catalog (config/catalog.development.json). */
const FABRIKAM = new Webhook('whsec_ZmFicmlrYW0tY2FsbGJhY2stc2VjcmV0LTAwMQ==');

/** Fabrikam's signed LicensesAssigned for the subscription, under a fresh webhook-id; throws unless it is queued (202). */
export async function assignLicenses(baseUrl: string, subscriptionId: string, assignedSeats: number): Promise<void> {
  const id = `msg_${randomUUID()}`;
  const signedAt = new Date();
  const body = JSON.stringify({ type: 'LicensesAssigned', subscriptionId, data: { assignedSeats } });
  const { status, text } = await httpPost(
    `${baseUrl}/webhooks/publishers/fabrikam`,
    {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
      'webhook-signature': FABRIKAM.sign(id, signedAt, body),
    },
    body,
  ).catch((error: Error) => {
    throw new Error(`LicensesAssigned ${subscriptionId}: ${error.message}`);
  });
  if (status !== 202) throw new Error(`LicensesAssigned ${subscriptionId}: ${status} ${text}`);
}
