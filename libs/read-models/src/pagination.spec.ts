import { decodeCursor, encodeCursor } from './pagination';

describe('continuation tokens', () => {
  const cursor = { createdAt: '2026-03-01T10:00:00.000Z', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' };

  it('round-trip a cursor', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['garbage', 'not a token'],
    ['JSON that is not a cursor', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","7c9e6679-7425-40de-944b-e07fc1f90ae7"]').toString('base64url')],
    ['a bad id', Buffer.from(`["${cursor.createdAt}","1; DROP TABLE"]`).toString('base64url')],
    ['a time that is only a number', Buffer.from(`["1","${cursor.id}"]`).toString('base64url')],
    ['an impossible date', Buffer.from(`["2026-02-31T25:00:00.000Z","${cursor.id}"]`).toString('base64url')],
    ['an id of dashes', Buffer.from(`["${cursor.createdAt}","${'-'.repeat(36)}"]`).toString('base64url')],
  ])('refuse %s', (_case, token) => expect(decodeCursor(token)).toBeNull());
});
