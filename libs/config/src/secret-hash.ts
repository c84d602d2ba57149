import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Client secrets are stored as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url), never in clear. */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

let derivations = 0;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  derivations += 1;
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** How many scrypt derivations this process has run, for metrics. */
export function secretDerivations(): number {
  return derivations;
}

/**
 * scrypt's PBKDF2-HMAC zero-pads a key shorter than its block, so `s` and `s\0\0` derive the same
 * hash: a secret with U+0000 in it is never stored and never matches.
 */
function hasNul(secret: string): boolean {
  return secret.includes('\0');
}

export class InvalidSecretError extends Error {
  constructor() {
    super('A client secret must not contain U+0000 (NUL).');
    this.name = 'InvalidSecretError';
  }
}

export async function hashSecret(secret: string): Promise<string> {
  if (hasNul(secret)) throw new InvalidSecretError();
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * A hash with the parameters of {@link hashSecret} that no secret matches (random salt and hash, made
 * once at load): verifying against it for an unknown client costs what a known client costs.
 */
export const UNMATCHABLE_SECRET_HASH = ['scrypt', N, R, P, randomBytes(16).toString('base64url'), randomBytes(KEY_LENGTH).toString('base64url')].join('$');

export function isSecretHash(text: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/.test(text);
}

/** Exact comparison, one derivation whatever the secret: a refused secret costs what a wrong one costs. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (!isSecretHash(stored)) return false;
  const [, n, r, p, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected) && !hasNul(secret);
}
