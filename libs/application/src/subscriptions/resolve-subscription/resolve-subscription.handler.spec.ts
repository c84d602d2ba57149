import { ActivationCodes, SecretStore } from '@mfh/auth';
import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { given, inMemoryStore, purchasedEvent, refusal } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ResolveSubscriptionHandler } from './resolve-subscription.handler';
import { ResolveSubscription } from './resolve-subscription.query';
import { StreamStates } from '../../stream-states';

const TTL_SECONDS = 3600;

async function activationCodes(secret = 'a'.repeat(40)): Promise<ActivationCodes> {
  const config = loadConfig({ ACTIVATION_CODE_SECRET: secret, ACTIVATION_CODE_TTL_SECONDS: String(TTL_SECONDS) });
  const unused = { getOrCreate: () => Promise.reject(new Error('not used when the secret is configured')) } as unknown as SecretStore;
  const codes = new ActivationCodes(config, unused);
  await codes.onModuleInit();
  return codes;
}

describe('ResolveSubscription', () => {
  let store: EventStore;
  let codes: ActivationCodes;
  let handler: ResolveSubscriptionHandler;

  beforeEach(async () => {
    store = inMemoryStore();
    codes = await activationCodes();
    handler = new ResolveSubscriptionHandler(new StreamStates(store), codes);
  });

  async function subscription(): Promise<string> {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() })]);
    return subscriptionId;
  }

  const resolve = (code: string, publisherId = 'fabrikam') => handler.execute(new ResolveSubscription(publisherId, code));

  it('answers the subscription the code was issued for', async () => {
    const subscriptionId = await subscription();
    const resolved = await resolve(await codes.issue({ subscriptionId, publisherId: 'fabrikam' }));
    expect(resolved).toMatchObject({ id: subscriptionId, subscriptionName: 'CRM', offerId: 'fabrikam-crm', planId: 'standard', quantity: 12 });
    expect(resolved.subscription).toMatchObject({ id: subscriptionId, saasSubscriptionStatus: 'PendingFulfillmentStart' });
  });

  it('refuses a code it did not issue, or one altered, as invalid', async () => {
    const subscriptionId = await subscription();
    const forged = await (await activationCodes('b'.repeat(40))).issue({ subscriptionId, publisherId: 'fabrikam' });
    const code = await codes.issue({ subscriptionId, publisherId: 'fabrikam' });
    const altered = `${code.slice(0, -2)}${code.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of ['not-a-token', forged, altered]) {
      expect(await refusal(resolve(token))).toEqual({
        code: 'invalid-marketplace-token',
        kind: 'validation',
        message: 'x-ms-marketplace-token is not an authorization code issued by this marketplace, or it was altered.',
      });
    }
  });

  it('refuses an expired code as expired', async () => {
    const subscriptionId = await subscription();
    const code = await codes.issue({ subscriptionId, publisherId: 'fabrikam' }, new Date(Date.now() - 2 * TTL_SECONDS * 1000));
    expect(await refusal(resolve(code))).toEqual({
      code: 'expired-marketplace-token',
      kind: 'validation',
      message: 'The authorization code has expired; open a fresh activation link.',
    });
  });

  it('refuses a code of another publisher, or for another publisher’s subscription, as forbidden', async () => {
    const subscriptionId = await subscription();
    const forbidden = {
      code: 'marketplace-token-of-another-publisher',
      kind: 'forbidden',
      message: 'The authorization code was issued for a subscription of another publisher.',
    };
    expect(await refusal(resolve(await codes.issue({ subscriptionId, publisherId: 'fabrikam' }), 'tailspin'))).toEqual(forbidden);
    expect(await refusal(resolve(await codes.issue({ subscriptionId, publisherId: 'tailspin' }), 'tailspin'))).toEqual(forbidden);
  });

  it('reports a code for a subscription that does not exist as not found', async () => {
    const code = await codes.issue({ subscriptionId: randomUUID(), publisherId: 'fabrikam' });
    expect(await refusal(resolve(code))).toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
  });
});
