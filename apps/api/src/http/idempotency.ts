import { ProblemException } from './problem';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters. */
export function idempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  if (!KEY.test(value)) {
    throw new ProblemException(400, 'invalid-idempotency-key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  return value;
}
