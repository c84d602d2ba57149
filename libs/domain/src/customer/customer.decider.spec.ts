import { DeciderSpecification } from '@mfh/testing';
import { ClaimFreeTrials, CreateCustomer, CustomerCreated, customerDecider, customerStream, FreeTrialClaimed } from './customer.decider';

const spec = DeciderSpecification.for(customerDecider);

const CUSTOMER_ID = '5c2e9a1f-3d4b-4e6a-8f7c-9b0a1d2e3f40';
const NOW = '2025-03-10T09:00:00.000Z';

const create = (overrides: Partial<CreateCustomer['data']> = {}): CreateCustomer => ({
  type: 'CreateCustomer',
  data: {
    customerId: CUSTOMER_ID,
    partnerId: 'partner-1',
    companyName: 'Fabrikam Inc.',
    domain: 'fabrikam.com',
    testClockId: null,
    now: NOW,
    ...overrides,
  },
});
const created = (overrides: Partial<CustomerCreated['data']> = {}): CustomerCreated => ({
  type: 'CustomerCreated',
  data: {
    customerId: CUSTOMER_ID,
    partnerId: 'partner-1',
    companyName: 'Fabrikam Inc.',
    domain: 'fabrikam.com',
    createdAt: NOW,
    ...overrides,
  },
});

describe('customer decider', () => {
  describe('with no customer', () => {
    it('creates the customer, dated now', () => {
      spec.when(create()).then([created()]);
    });

    it('creates a customer without a domain', () => {
      spec.when(create({ domain: null })).then([created({ domain: null })]);
    });

    it('trims the company name and trims and lower-cases the domain', () => {
      spec.when(create({ companyName: '  Fabrikam Inc.\t', domain: ' Fabrikam.COM ' })).then([created()]);
    });

    it('accepts a company name of 255 characters', () => {
      const companyName = 'c'.repeat(255);
      spec.when(create({ companyName })).then([created({ companyName })]);
    });

    it('counts characters, not UTF-16 units: 255 emoji are a company name of 255 characters', () => {
      const companyName = '😀'.repeat(255);
      spec.when(create({ companyName })).then([created({ companyName })]);
    });

    it.each([
      ['empty', ''],
      ['whitespace only', '   '],
      ['256 characters', 'c'.repeat(256)],
      ['256 emoji', '😀'.repeat(256)],
    ])('refuses a company name that is %s', (_case, companyName) => {
      spec.when(create({ companyName })).thenThrows('invalid-company-name', 'validation');
    });

    it.each(['sub.fabrikam.co.uk', 'xn--fabrikm-cua.com', 'fab-rikam.io', '9fabrikam.com'])('accepts the domain %p', (domain) => {
      spec.when(create({ domain })).then([created({ domain })]);
    });

    const LABEL_64 = 'a'.repeat(64);
    it.each(['fabrikam', '', 'fabrikam.c', '-fabrikam.com', 'fabrikam-.com', 'fab rikam.com', 'https://fabrikam.com', `${LABEL_64}.com`])(
      'refuses the domain %p',
      (domain) => {
        spec.when(create({ domain })).thenThrows('invalid-domain', 'validation');
      },
    );
  });

  describe('created', () => {
    const given = spec.given([created()]);

    it('treats the same creation again as a no-op, after normalising', () => {
      given.when(create()).thenNothing();
      given.when(create({ companyName: ' Fabrikam Inc. ', domain: 'FABRIKAM.com', now: '2025-03-11T00:00:00.000Z' })).thenNothing();
    });

    it.each([
      ['another partner', { partnerId: 'partner-2' }],
      ['another company name', { companyName: 'Fabrikam Ltd' }],
      ['another domain', { domain: 'fabrikam.net' }],
      ['no domain', { domain: null }],
    ])('refuses a creation with %s on the same id', (_case, overrides) => {
      given.when(create(overrides)).thenThrows('idempotency-key-reused', 'unprocessable');
    });

    it('validates the input before comparing with the existing customer', () => {
      given.when(create({ domain: 'not a domain' })).thenThrows('invalid-domain', 'validation');
    });
  });

  describe('evolve', () => {
    it('starts with no customer', () => {
      expect(spec.given([]).state()).toEqual({ status: 'none' });
    });

    it('makes CustomerCreated an active customer', () => {
      expect(spec.given([created()]).state()).toEqual({
        status: 'active',
        id: CUSTOMER_ID,
        partnerId: 'partner-1',
        companyName: 'Fabrikam Inc.',
        domain: 'fabrikam.com',
        createdAt: NOW,
        testClockId: null,
        freeTrials: {},
      });
    });

    it('binds a sandbox customer to its test clock, and a resend naming another clock is a reused key', () => {
      const clock = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';
      spec.when(create({ testClockId: clock })).then([created({ testClockId: clock })]);
      expect(spec.given([created({ testClockId: clock })]).state()).toMatchObject({ testClockId: clock });
      spec.given([created({ testClockId: clock })]).when(create()).thenThrows('idempotency-key-reused', 'unprocessable');
    });
  });

  describe('free trials: one per customer and offer', () => {
    const claim = (claims: { offerId: string; subscriptionId: string; lineIndex: number }[]): ClaimFreeTrials => ({ type: 'ClaimFreeTrials', data: { claims, now: NOW } });
    const claimed = (offerId: string, subscriptionId: string): FreeTrialClaimed => ({ type: 'FreeTrialClaimed', data: { offerId, subscriptionId, claimedAt: NOW } });

    it('claims each offer’s trial for the subscription that starts it, and remembers which one', () => {
      spec.given([created()]).when(claim([{ offerId: 'analytics', subscriptionId: 'sub-1', lineIndex: 0 }])).then([claimed('analytics', 'sub-1')]);
      expect(spec.given([created(), claimed('analytics', 'sub-1')]).state()).toMatchObject({ freeTrials: { analytics: 'sub-1' } });
    });

    it('changes nothing when the same subscription claims again (a resent order)', () => {
      spec.given([created(), claimed('analytics', 'sub-1')]).when(claim([{ offerId: 'analytics', subscriptionId: 'sub-1', lineIndex: 0 }])).thenNothing();
    });

    it('refuses a second trial of the same offer, pointing at its line, and claims none of the order’s', () => {
      const error = spec
        .given([created(), claimed('analytics', 'sub-1')])
        .when(claim([{ offerId: 'forms', subscriptionId: 'sub-3', lineIndex: 0 }, { offerId: 'analytics', subscriptionId: 'sub-2', lineIndex: 1 }]))
        .thenThrows('free-trial-used', 'conflict');
      expect(error.extensions).toEqual({ pointer: '/lineItems/1/planId' });
    });

    it('refuses two trials of one offer claimed together (two lines of one order), claiming neither', () => {
      const error = spec
        .given([created()])
        .when(claim([{ offerId: 'analytics', subscriptionId: 'sub-1', lineIndex: 0 }, { offerId: 'analytics', subscriptionId: 'sub-2', lineIndex: 1 }]))
        .thenThrows('free-trial-used', 'conflict');
      expect(error.extensions).toEqual({ pointer: '/lineItems/1/planId' });
    });

    it('allows a trial of another offer, and refuses a customer that does not exist', () => {
      spec.given([created(), claimed('analytics', 'sub-1')]).when(claim([{ offerId: 'forms', subscriptionId: 'sub-2', lineIndex: 0 }])).then([claimed('forms', 'sub-2')]);
      spec.when(claim([{ offerId: 'forms', subscriptionId: 'sub-2', lineIndex: 0 }])).thenThrows('customer-not-found', 'not-found');
    });
  });

  it('names the stream after the customer id', () => {
    expect(customerStream(CUSTOMER_ID)).toBe(`customer-${CUSTOMER_ID}`);
  });
});
