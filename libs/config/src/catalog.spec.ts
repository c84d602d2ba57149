import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from './app-config';
import { CatalogError, loadCatalog, parseCatalog } from './catalog';
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

  it('has exactly the fixture clients, partners, publisher and offer', () => {
    expect(catalog.file.clients.map((c) => c.clientId).sort()).toEqual(['admin', 'auditor', 'contoso-partner', 'fabrikam-publisher', 'northwind-partner']);
    expect(catalog.file.partners.map((p) => p.id).sort()).toEqual(['contoso', 'northwind']);
    expect(catalog.file.publishers).toHaveLength(1);
    expect(catalog.publisher('fabrikam')).toMatchObject({
      callbackSigningSecret: 'whsec_ZmFicmlrYW0tY2FsbGJhY2stc2VjcmV0LTAwMQ==',
      landingPageUrl: 'http://localhost:4000/landing',
      notificationUrl: null,
    });
    expect(catalog.offers.map((o) => o.id)).toEqual(['fabrikam-crm']);
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
  ])('refuses %s, naming it', (_case, mutate, problem) => {
    expect(problemsOf(mutate).join('\n')).toMatch(problem);
  });

  it('reports an unreadable file with its path', () => {
    expect(() => loadCatalog('/nonexistent/catalog.json')).toThrow(/\/nonexistent\/catalog\.json/);
  });
});
