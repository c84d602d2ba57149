import { encodeCursor } from '@mfh/read-models';

/** A continuation token as the keyset lists write one, whatever the instant or id. */
export const cursorToken = (createdAt: string, id = '7d5c3a43-3d42-4b6e-9a55-0e0f6c1d2b19'): string => encodeCursor({ createdAt, id });

const genuine = cursorToken('2026-03-01T10:00:00.000Z');

/**
 * Continuation tokens the system never writes, each shaped to get past a loose decoder. The first
 * few are dates that Date.parse takes (rolling them over) and PostgreSQL refuses: a 500 once.
 * Values are URL-encoded, ready to go in a query string.
 */
export const FORGED_CURSORS: [name: string, token: string][] = (
  [
    ['February 30th', cursorToken('2026-02-30T00:00:00.000Z')],
    ['February 29th of a common year', cursorToken('2025-02-29T12:00:00.000Z')],
    ['April 31st', cursorToken('2026-04-31T00:00:00.000Z')],
    ['year 0000', cursorToken('0000-01-01T00:00:00.000Z')],
    ['year 0001', cursorToken('0001-01-01T00:00:00.000Z')],
    ['hour 24', cursorToken('2026-01-01T24:00:00.000Z')],
    ['an upper-case id', cursorToken('2026-03-01T10:00:00.000Z', '7D5C3A43-3D42-4B6E-9A55-0E0F6C1D2B19')],
    ['a third member', Buffer.from(JSON.stringify(['2026-03-01T10:00:00.000Z', '7d5c3a43-3d42-4b6e-9a55-0e0f6c1d2b19', 0])).toString('base64url')],
    ['a genuine-looking token with base64 padding', Buffer.from(JSON.stringify(['2026-03-01T10:00:00.000Z', '7d5c3a43-3d42-4b6e-9a55-0e0f6c1d2b19'])).toString('base64')],
    ['a genuine-looking token with foreign characters', `${genuine.slice(0, 8)}.!${genuine.slice(8)}`],
  ] as [string, string][]
).map(([name, token]) => [name, encodeURIComponent(token)]);
