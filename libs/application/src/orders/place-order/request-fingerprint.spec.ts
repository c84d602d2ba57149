import { requestFingerprint } from './request-fingerprint';

describe('requestFingerprint', () => {
  const lines = [
    { offerId: 'fabrikam-crm', planId: 'standard', quantity: 5, termDuration: 'P1M', billingCycle: 'monthly', friendlyName: null, partnerIdOnRecord: null },
    { offerId: 'fabrikam-crm', planId: 'enterprise', quantity: 10, termDuration: 'P1Y', billingCycle: 'annual', friendlyName: 'Big', partnerIdOnRecord: '1234567' },
  ] as const;

  it('is the fingerprint stored orders already carry, so a resend of an order placed before still matches', () => {
    expect(requestFingerprint('c0ffee00-0000-4000-8000-000000000001', lines)).toBe('k68Th-6yKeEe6IHWDYQqkgeJhCPBKZXLhb9aSdw4hS0');
  });

  it('tells another customer, or any other line, apart', () => {
    const same = requestFingerprint('c1', lines);
    expect(requestFingerprint('c2', lines)).not.toBe(same);
    expect(requestFingerprint('c1', [lines[0], { ...lines[1], quantity: 11 }])).not.toBe(same);
    expect(requestFingerprint('c1', [lines[1], lines[0]])).not.toBe(same);
  });
});
