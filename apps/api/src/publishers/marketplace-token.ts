import { ProblemException } from '../http/problem';

/** Far longer than any code this system issues; anything longer is not one of them. */
const MAX_TOKEN_LENGTH = 4096;

const invalid = (detail: string) =>
  new ProblemException(400, 'invalid-marketplace-token', detail, { errors: [{ pointer: 'x-ms-marketplace-token', detail }] });

/**
 * The authorization code from the `x-ms-marketplace-token` header. Microsoft asks publishers to
 * URL-decode the landing page's `?token=` first; a code sent still encoded is decoded here.
 */
export function marketplaceToken(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim();
  if (value === '') throw invalid('The x-ms-marketplace-token header is required: the token= value of the activation link.');
  if (value.length > MAX_TOKEN_LENGTH) throw invalid('x-ms-marketplace-token is not an authorization code issued by this marketplace.');
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid('x-ms-marketplace-token is not validly URL-encoded.');
  }
}
