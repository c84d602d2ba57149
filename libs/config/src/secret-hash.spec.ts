import { hashSecret, InvalidSecretError, isSecretHash, secretDerivations, UNMATCHABLE_SECRET_HASH, verifySecret } from './secret-hash';

describe('secret hashes and NUL', () => {
  let hash: string;

  beforeAll(async () => {
    hash = await hashSecret('admin-secret');
  });

  it.each([
    ['one trailing NUL', 'admin-secret\0'],
    ['several trailing NULs', 'admin-secret\0\0\0'],
    ['a NUL inside', 'admin\0secret'],
    ['a lone NUL', '\0'],
  ])('never verify a secret with %s, which scrypt would pad into the same key', async (_case, presented) => {
    expect(await verifySecret(presented, hash)).toBe(false);
  });

  it('still verify the exact secret', async () => {
    expect(await verifySecret('admin-secret', hash)).toBe(true);
  });

  it('refuse to hash a secret with a NUL', async () => {
    await expect(hashSecret('admin-secret\0')).rejects.toBeInstanceOf(InvalidSecretError);
  });

  it('derive once for a refused secret, as for a wrong one', async () => {
    const before = secretDerivations();
    await verifySecret('admin-secret\0', hash);
    expect(secretDerivations() - before).toBe(1);
    await verifySecret('wrong', hash);
    expect(secretDerivations() - before).toBe(2);
  });

  it('keep the stored format', () => {
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });
});

describe('the unmatchable hash', () => {
  it('has the parameters and shape of a real one, so verifying against it costs the same', async () => {
    const real = (await hashSecret('x')).split('$');
    const dummy = UNMATCHABLE_SECRET_HASH.split('$');
    expect(isSecretHash(UNMATCHABLE_SECRET_HASH)).toBe(true);
    expect(dummy.slice(0, 4)).toEqual(real.slice(0, 4));
    expect(dummy.map((part) => part.length)).toEqual(real.map((part) => part.length));
  });

  it.each(['', 'admin-secret', 'contoso-secret'])('matches no secret (%p) and derives once each time', async (secret) => {
    const before = secretDerivations();
    expect(await verifySecret(secret, UNMATCHABLE_SECRET_HASH)).toBe(false);
    expect(secretDerivations() - before).toBe(1);
  });
});
