import { invoiceIdOf } from '@mfh/domain';
import { billingPeriodOf } from './invoice-audit';

const CLOCK = '3f2b8c1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('billingPeriodOf', () => {
  it.each([
    [{ partnerId: 'contoso', month: '2026-03', currency: 'USD', testClockId: null }],
    [{ partnerId: 'partner-1', month: '2025-12', currency: 'EUR', testClockId: null }],
    [{ partnerId: 'contoso', month: '2026-01', currency: 'USD', testClockId: CLOCK }],
    [{ partnerId: 'north-wind-2024', month: '2026-01', currency: 'USD', testClockId: CLOCK }],
  ])('reads back the period an invoice id was made of: %j', (key) => {
    expect(billingPeriodOf(invoiceIdOf(key))).toEqual(key);
  });

  it.each(['contoso-2026-13-USD', 'contoso-2026-3-USD', 'contoso-2026-03-usd', '-2026-03-USD', 'contoso-2026-03', 'contoso', '', 'Contoso-2026-03-USD', 'a\u0000b-2026-03-USD', `${'a'.repeat(65)}-2026-03-USD`])('names no period: %s', (id) => {
    expect(billingPeriodOf(id)).toBeNull();
  });
});
