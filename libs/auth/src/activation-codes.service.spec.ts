import { loadConfig } from '@mfh/config';
import type { SecretStore } from './secret-store';
import { ActivationCodes } from './activation-codes.service';

async function codes(secret = 'a'.repeat(40), ttl = '86400'): Promise<ActivationCodes> {
  const config = loadConfig({ ACTIVATION_CODE_SECRET: secret, ACTIVATION_CODE_TTL_SECONDS: ttl });
  const unused = { getOrCreate: () => Promise.reject(new Error('not used when the secret is configured')) } as unknown as SecretStore;
  const service = new ActivationCodes(config, unused);
  await service.onModuleInit();
  return service;
}

const grant = { subscriptionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', publisherId: 'fabrikam' };

describe('ActivationCodes', () => {
  it('opens the codes it issued', async () => {
    const service = await codes();
    const code = await service.issue(grant);
    expect(await service.open(code)).toEqual({ ok: true, grant });
  });

  it('is opaque: the subscription id cannot be read from the code', async () => {
    const code = await (await codes()).issue(grant);
    const decoded = code
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('');
    expect(decoded).not.toContain(grant.subscriptionId);
    expect(decoded).not.toContain('fabrikam');
  });

  it.each([
    ['a flipped character in the ciphertext', (code: string) => flip(code, code.split('.')[0].length + 30)],
    ['a flipped character in the tag', (code: string) => flip(code, code.length - 3)],
    ['a truncated code', (code: string) => code.slice(0, -5)],
    ['garbage', () => 'not-a-code'],
    ['an empty string', () => ''],
  ])('refuses %s as invalid', async (_case, tamper) => {
    const service = await codes();
    expect(await service.open(tamper(await service.issue(grant)))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a code sealed with another secret', async () => {
    const code = await (await codes('b'.repeat(40))).issue(grant);
    expect(await (await codes()).open(code)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses an expired code as expired', async () => {
    const service = await codes('a'.repeat(40), '60');
    const code = await service.issue(grant, new Date(Date.now() - 61_000));
    expect(await service.open(code)).toEqual({ ok: false, reason: 'expired' });
  });

  it('builds the landing page link with the code as ?token=', async () => {
    const service = await codes();
    const link = new URL(await service.link('http://localhost:4000/landing?source=partner', grant));
    expect(link.searchParams.get('source')).toBe('partner');
    expect(await service.open(link.searchParams.get('token')!)).toEqual({ ok: true, grant });
  });
});

function flip(code: string, index: number): string {
  const replacement = code[index] === 'A' ? 'B' : 'A';
  return code.slice(0, index) + replacement + code.slice(index + 1);
}
