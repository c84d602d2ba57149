import { decodeCursor, encodeCursor } from './pagination';

describe('continuation tokens', () => {
  const cursor = { createdAt: '2026-03-01T10:00:00.000Z', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' };
  const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const at = (createdAt: string) => token([createdAt, cursor.id]);

  it('round-trip a cursor', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['1970-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '9999-12-31T23:59:59.999Z'])('round-trip the instant %s', (createdAt) => {
    expect(decodeCursor(encodeCursor({ ...cursor, createdAt }))).toEqual({ ...cursor, createdAt });
  });

  it.each([
    ['garbage', 'not a token'],
    ['JSON that is not a cursor', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","7c9e6679-7425-40de-944b-e07fc1f90ae7"]').toString('base64url')],
    ['a bad id', Buffer.from(`["${cursor.createdAt}","1; DROP TABLE"]`).toString('base64url')],
    ['a time that is only a number', Buffer.from(`["1","${cursor.id}"]`).toString('base64url')],
    ['an impossible date', Buffer.from(`["2026-02-31T25:00:00.000Z","${cursor.id}"]`).toString('base64url')],
    ['an id of dashes', Buffer.from(`["${cursor.createdAt}","${'-'.repeat(36)}"]`).toString('base64url')],
    // Date.parse takes these and rolls them over; PostgreSQL refuses them.
    ['February 30th', at('2026-02-30T00:00:00.000Z')],
    ['February 29th of a common year', at('2026-02-29T00:00:00.000Z')],
    ['April 31st', at('2026-04-31T00:00:00.000Z')],
    ['hour 24', at('2026-01-01T24:00:00.000Z')],
    ['year 0000', at('0000-01-01T00:00:00.000Z')],
    ['year 0001 (before 1970)', at('0001-01-01T00:00:00.000Z')],
    ['the last millisecond before 1970', at('1969-12-31T23:59:59.999Z')],
    ['a six-digit year', at('+010000-01-01T00:00:00.000Z')],
    ['a time without milliseconds', at('2026-03-01T10:00:00Z')],
    ['an offset instead of Z', at('2026-03-01T10:00:00.000+00:00')],
    ['an upper-case id', token([cursor.createdAt, cursor.id.toUpperCase()])],
    ['an id with braces', token([cursor.createdAt, `{${cursor.id}}`])],
    ['an id that is not a string', token([cursor.createdAt, 7])],
    ['a time that is not a string', token([Date.parse(cursor.createdAt), cursor.id])],
    ['a third member', token([cursor.createdAt, cursor.id, 1])],
    ['an object with the same fields', token({ createdAt: cursor.createdAt, id: cursor.id })],
    ['spaces inside the JSON', Buffer.from(`[ "${cursor.createdAt}", "${cursor.id}" ]`).toString('base64url')],
    ['a valid token with padding', Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64')],
    ['a valid token with characters outside base64url', `${encodeCursor(cursor).slice(0, 10)}!*${encodeCursor(cursor).slice(10)}`],
    ['a valid token with a newline', `${encodeCursor(cursor)}\n`],
    ['an empty token', ''],
  ])('refuse %s', (_case, forged) => expect(decodeCursor(forged)).toBeNull());
});
