import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './app-config';
import { billingCyclesOfTerm, CatalogError, loadCatalog, parseCatalog } from './catalog';
import { verifySecret } from './secret-hash';

const DEV_CATALOG = resolve(__dirname, '../../../config/catalog.development.json');
const devJson = () => JSON.parse(readFileSync(DEV_CATALOG, 'utf8'));

describe('the development catalog', () => {
  const catalog = loadCatalog(DEV_CATALOG);

  it('is the default CATALOG_FILE', () => {
    expect(loadConfig({}).CATALOG_FILE).toBe(resolve(process.cwd(), 'config/catalog.development.json'));
    expect(resolve(process.cwd(), 'config/catalog.development.json')).toBe(DEV_CATALOG);
  });

  it.each([
    ['contoso-partner', 'contoso-secret', 'partner', 'contoso'],
    ['northwind-partner', 'northwind-secret', 'partner', 'northwind'],
    ['fabrikam-publisher', 'fabrikam-secret', 'publisher', 'fabrikam'],
    ['auditor', 'auditor-secret', 'auditor', undefined],
    ['admin', 'admin-secret', 'admin', undefined],
  ])('has client %s with its secret stored hashed', async (clientId, secret, role, tenant) => {
    const client = catalog.client(clientId)!;
    expect(client.role).toBe(role);
    expect(client.tenantId).toBe(tenant);
    expect(client.secretHash).not.toContain(secret);
    expect(await verifySecret(secret, client.secretHash)).toBe(true);
    expect(await verifySecret(`${secret}x`, client.secretHash)).toBe(false);
  });

  it('has exactly the fixture clients, partners, publisher and offers', () => {
    expect(catalog.file.clients.map((c) => c.clientId).sort()).toEqual(['admin', 'auditor', 'contoso-partner', 'fabrikam-publisher', 'northwind-partner']);
    expect(catalog.file.partners.map((p) => p.id).sort()).toEqual(['contoso', 'northwind']);
    expect(catalog.file.publishers).toHaveLength(1);
    expect(catalog.publisher('fabrikam')).toMatchObject({
      callbackSigningSecret: 'whsec_ZmFicmlrYW0tY2FsbGJhY2stc2VjcmV0LTAwMQ==',
      landingPageUrl: 'http://localhost:4000/landing',
      notificationUrl: null,
    });
    expect(catalog.offers.map((o) => o.id)).toEqual(['fabrikam-crm', 'fabrikam-analytics']);
    expect(catalog.offers.map((o) => o.publisherId)).toEqual(['fabrikam', 'fabrikam']);
  });

  it('sells standard and enterprise per seat on P1M and P1Y at the fixture prices and limits', () => {
    expect(catalog.purchaseTerms('fabrikam-crm', 'standard', 'P1M')).toMatchObject({
      plan: { minQuantity: 1, maxQuantity: 500, isPricePerSeat: true, hasFreeTrials: false },
      price: { unitPrice: '12.00', currency: 'USD' },
      cancellationWindowMs: 72 * 3_600_000,
    });
    expect(catalog.purchaseTerms('fabrikam-crm', 'standard', 'P1Y')).toMatchObject({ price: { unitPrice: '120.00' }, cancellationWindowMs: 14 * 86_400_000 });
    expect(catalog.purchaseTerms('fabrikam-crm', 'enterprise', 'P1M')).toMatchObject({ plan: { minQuantity: 10, maxQuantity: 10000 }, price: { unitPrice: '30.00' } });
    expect(catalog.purchaseTerms('fabrikam-crm', 'enterprise', 'P1Y')?.price.unitPrice).toBe('300.00');
    expect(catalog.purchaseTerms('fabrikam-crm', 'premium', 'P1M')).toBeUndefined();
    expect(catalog.purchaseTerms('fabrikam-crm', 'standard', 'P2Y')).toBeUndefined();
  });

  it('sells CRM terms as it always did, the catalog naming no billing cycles: a month monthly, a year monthly or annually', () => {
    const crm = catalog.offer('fabrikam-crm')!;
    expect(crm.terms.map((t) => [t.termDuration, t.billingCycles])).toEqual([
      ['P1M', undefined],
      ['P1Y', undefined],
    ]);
    expect(crm.terms.map((t) => billingCyclesOfTerm(t))).toEqual([['monthly'], ['monthly', 'annual']]);
    expect(catalog.purchaseTerms('fabrikam-crm', 'standard', 'P1Y')?.billingCycles).toEqual(['monthly', 'annual']);
  });

  it('sells Fabrikam Analytics for one month to three years, each term with its billing cycles and window', () => {
    const analytics = catalog.offer('fabrikam-analytics')!;
    expect(analytics).toMatchObject({ name: 'Fabrikam Analytics', publisherId: 'fabrikam' });
    expect(analytics.terms.map((t) => [t.termDuration, billingCyclesOfTerm(t), t.cancellationWindow])).toEqual([
      ['P1M', ['monthly'], 'PT72H'],
      ['P1Y', ['monthly', 'annual', 'upfront'], 'P14D'],
      ['P2Y', ['annual', 'upfront'], 'PT72H'],
      ['P3Y', ['monthly', 'annual', 'upfront'], 'PT72H'],
    ]);
    const prices = (planId: string) => catalog.plan('fabrikam-analytics', planId)!.prices.map((p) => [p.termDuration, p.unitPrice, p.currency]);
    expect(prices('team')).toEqual([
      ['P1M', '20.00', 'USD'],
      ['P1Y', '200.00', 'USD'],
      ['P2Y', '380.00', 'USD'],
      ['P3Y', '540.00', 'USD'],
    ]);
    expect(prices('business')).toEqual([
      ['P1M', '40.00', 'USD'],
      ['P1Y', '400.00', 'USD'],
      ['P2Y', '760.00', 'USD'],
      ['P3Y', '1080.00', 'USD'],
    ]);
    expect(catalog.purchaseTerms('fabrikam-analytics', 'team', 'P3Y')).toMatchObject({
      plan: { minQuantity: 1, maxQuantity: 1000, isPricePerSeat: true, isPrivate: false, hasFreeTrials: false },
      price: { unitPrice: '540.00', currency: 'USD' },
      cancellationWindowMs: 72 * 3_600_000,
      billingCycles: ['monthly', 'annual', 'upfront'],
    });
    expect(catalog.purchaseTerms('fabrikam-analytics', 'business', 'P2Y')).toMatchObject({
      plan: { minQuantity: 5, maxQuantity: 5000, isPrivate: false, hasFreeTrials: false },
      price: { unitPrice: '760.00' },
      billingCycles: ['annual', 'upfront'],
    });
    expect(catalog.purchaseTerms('fabrikam-analytics', 'team', 'P1Y')?.cancellationWindowMs).toBe(14 * 86_400_000);
  });
});

describe('parseCatalog', () => {
  const problemsOf = (mutate: (json: ReturnType<typeof devJson>) => void): string[] => {
    const json = devJson();
    mutate(json);
    try {
      parseCatalog(json);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogError);
      return (error as CatalogError).problems;
    }
  };

  it.each([
    ['a clear-text secret', (j: any) => (j.clients[0].secretHash = 'contoso-secret'), /secretHash must be an scrypt hash/],
    ['an unknown partner tenant', (j: any) => (j.clients[0].tenantId = 'tailspin'), /unknown partner tailspin/],
    ['an offer of an unknown publisher', (j: any) => (j.offers[0].publisherId = 'litware'), /unknown publisher litware/],
    ['min above max', (j: any) => (j.offers[0].plans[0].minQuantity = 900), /minQuantity above maxQuantity/],
    ['a missing price for a term', (j: any) => j.offers[0].plans[0].prices.pop(), /no price for P1Y/],
    ['a bad cancellation window', (j: any) => (j.offers[0].terms[0].cancellationWindow = '72 hours'), /bad cancellationWindow/],
    ['a duplicate client', (j: any) => j.clients.push({ ...j.clients[0] }), /duplicate clientId contoso-partner/],
    ['a malformed price', (j: any) => (j.offers[0].plans[0].prices[0].unitPrice = '12'), /unitPrice/],
    ['an unknown field', (j: any) => (j.offers[0].colour = 'blue'), /colour/],
    ['a bad signing secret', (j: any) => (j.publishers[0].callbackSigningSecret = 'secret'), /callbackSigningSecret/],
    ['an unknown term', (j: any) => (j.offers[1].terms[0].termDuration = 'P5Y'), /terms\.0\.termDuration: termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y/],
    ['a price for an unknown term', (j: any) => (j.offers[1].plans[0].prices[0].termDuration = 'P4Y'), /prices\.0\.termDuration/],
    ['an unknown billing cycle', (j: any) => (j.offers[1].terms[1].billingCycles = ['monthly', 'weekly']), /billingCycles/],
    ['no billing cycle at all', (j: any) => (j.offers[1].terms[1].billingCycles = []), /billingCycles must contain at least 1 elements/],
    ['a month billed annually', (j: any) => (j.offers[1].terms[0].billingCycles = ['monthly', 'annual']), /offer fabrikam-analytics term P1M: billing cycle annual is not allowed \(only monthly\)/],
    ['a month billed upfront', (j: any) => (j.offers[1].terms[0].billingCycles = ['upfront']), /offer fabrikam-analytics term P1M: billing cycle upfront is not allowed/],
    ['a billing cycle named twice', (j: any) => (j.offers[1].terms[2].billingCycles = ['annual', 'annual']), /offer fabrikam-analytics term P2Y: duplicate billing cycle annual/],
    ['a term sold twice', (j: any) => j.offers[1].terms.push({ ...j.offers[1].terms[3] }), /offer fabrikam-analytics: duplicate term P3Y/],
    [
      'a price for a term the offer does not sell',
      (j: any) => j.offers[0].plans[0].prices.push({ termDuration: 'P3Y', unitPrice: '300.00', currency: 'USD' }),
      /offer fabrikam-crm plan standard: price for P3Y, a term the offer does not sell/,
    ],
    ['a missing price for a multi-year term', (j: any) => j.offers[1].plans[1].prices.pop(), /offer fabrikam-analytics plan business: no price for P3Y/],
    [
      'two prices for one term and currency',
      (j: any) => j.offers[1].plans[0].prices.push({ termDuration: 'P2Y', unitPrice: '1.00', currency: 'USD' }),
      /offer fabrikam-analytics plan team: duplicate price for P2Y USD/,
    ],
  ])('refuses %s, naming it', (_case, mutate, problem) => {
    expect(problemsOf(mutate).join('\n')).toMatch(problem);
  });

  it('reports an unreadable file with its path', () => {
    expect(() => loadCatalog('/nonexistent/catalog.json')).toThrow(/\/nonexistent\/catalog\.json/);
  });
});
