import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { NativeHmacWebhook, verifySignature } from './callback-signature';

const SECRET = 'whsec_ZmFicmlrYW0tY2FsbGJhY2stc2VjcmV0LTAwMQ==';

describe('NativeHmacWebhook', () => {
  it('signs exactly as the standardwebhooks library does, for any id, time and body', () => {
    const secrets = [SECRET, `whsec_${randomBytes(32).toString('base64')}`, randomBytes(24).toString('base64')];
    const bodies = ['', '{"type":"ActionResolved"}', '{"reason":"Ünïcödé ✓ 🚀 \\u0000"}', randomBytes(2048).toString('latin1')];
    for (const secret of secrets) {
      const library = new Webhook(secret);
      const native = new NativeHmacWebhook(secret);
      for (const body of bodies) {
        const at = new Date(1_700_000_000_000 + Math.floor(Math.random() * 1e9));
        const id = `msg_${randomBytes(8).toString('hex')}`;
        expect(native.sign(id, at, body)).toBe(library.sign(id, at, body));
        expect(native.sign(id, at, Buffer.from(body))).toBe(library.sign(id, at, Buffer.from(body)));
      }
    }
  });

  it('accepts what the library signed and refuses a signature over another body', () => {
    const id = 'msg_1';
    const now = new Date();
    const body = '{"type":"LicensesAssigned"}';
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(SECRET).sign(id, now, body) };
    expect(verifySignature(SECRET, body, headers)).toEqual({ id, signedAt: new Date(Math.floor(now.getTime() / 1000) * 1000) });
    expect(() => verifySignature(SECRET, `${body} `, headers)).toThrow(expect.objectContaining({ status: 401 }));
  });
});
