import type { Command, Decider, DomainEvent } from '../decider';
import { DomainError } from '../errors';
import { characters } from '../shared/text';

export const customerStream = (customerId: string): string => `customer-${customerId}`;

export type CustomerCreated = DomainEvent<
  'CustomerCreated',
  /** `testClockId` only on a sandbox customer: everything of theirs then happens in that clock's time. */
  { customerId: string; partnerId: string; companyName: string; domain: string | null; createdAt: string; testClockId?: string }
>;
/** One free trial per customer and offer (SPEC §13): the subscription that took this customer's trial of the offer. */
export type FreeTrialClaimed = DomainEvent<'FreeTrialClaimed', { offerId: string; subscriptionId: string; claimedAt: string }>;
export type CustomerEvent = CustomerCreated | FreeTrialClaimed;

export type CreateCustomer = Command<
  'CreateCustomer',
  { customerId: string; partnerId: string; companyName: string; domain: string | null; testClockId: string | null; now: string }
>;
/**
 * Claims the customer's free trial of each offer for the subscription an order line buys, all or
 * none; `lineIndex` is the order line, for the refusal's pointer. The same subscription claiming
 * again (a resent order) changes nothing.
 */
export type ClaimFreeTrials = Command<'ClaimFreeTrials', { claims: readonly { offerId: string; subscriptionId: string; lineIndex: number }[]; now: string }>;
export type CustomerCommand = CreateCustomer | ClaimFreeTrials;

export type CustomerState =
  | { status: 'none' }
  | {
      status: 'active';
      id: string;
      partnerId: string;
      companyName: string;
      domain: string | null;
      createdAt: string;
      testClockId: string | null;
      /** The subscription that took each offer's free trial, by offer id. */
      freeTrials: Readonly<Record<string, string>>;
    };

export type ExistingCustomer = Exclude<CustomerState, { status: 'none' }>;

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const CustomerErrors = {
  invalidCompanyName: () =>
    new DomainError('invalid-company-name', 'validation', 'companyName must be 1 to 255 characters after trimming.', {}, 'companyName'),
  invalidDomain: () => new DomainError('invalid-domain', 'validation', 'domain must be a DNS name such as contoso.com.', {}, 'domain'),
  notFound: () => new DomainError('customer-not-found', 'not-found', 'The customer does not exist.'),
  /** Ids only collide when they are derived from an Idempotency-Key that was reused for another body. */
  freeTrialUsed: (index: number, offerId: string) =>
    new DomainError(
      'free-trial-used',
      'conflict',
      `lineItems[${index}]: this customer already has, or had, a free trial of ${offerId}; there is one per customer and offer.`,
      { pointer: `/lineItems/${index}/planId` },
    ),
  exists: () =>
    new DomainError('idempotency-key-reused', 'unprocessable', 'This Idempotency-Key was already used to create a different customer.'),
};

function create({ data }: CreateCustomer, state: CustomerState): CustomerEvent[] {
  const companyName = data.companyName.trim();
  const length = characters(companyName);
  if (length < 1 || length > 255) throw CustomerErrors.invalidCompanyName();
  const domain = data.domain === null ? null : data.domain.trim().toLowerCase();
  if (domain !== null && !DOMAIN_NAME.test(domain)) throw CustomerErrors.invalidDomain();
  if (state.status === 'active') {
    if (state.partnerId === data.partnerId && state.companyName === companyName && state.domain === domain && state.testClockId === data.testClockId) {
      return [];
    }
    throw CustomerErrors.exists();
  }
  return [
    {
      type: 'CustomerCreated',
      data: {
        customerId: data.customerId,
        partnerId: data.partnerId,
        companyName,
        domain,
        createdAt: data.now,
        ...(data.testClockId === null ? {} : { testClockId: data.testClockId }),
      },
    },
  ];
}

function claimFreeTrials({ data }: ClaimFreeTrials, state: CustomerState): CustomerEvent[] {
  if (state.status === 'none') throw CustomerErrors.notFound();
  const taken: Record<string, string> = { ...state.freeTrials };
  const events: CustomerEvent[] = [];
  for (const { offerId, subscriptionId, lineIndex } of data.claims) {
    if (taken[offerId] === subscriptionId) continue;
    if (taken[offerId] !== undefined) throw CustomerErrors.freeTrialUsed(lineIndex, offerId);
    taken[offerId] = subscriptionId;
    events.push({ type: 'FreeTrialClaimed', data: { offerId, subscriptionId, claimedAt: data.now } });
  }
  return events;
}

export const customerDecider: Decider<CustomerState, CustomerCommand, CustomerEvent> = {
  decide: (command, state) => (command.type === 'CreateCustomer' ? create(command, state) : claimFreeTrials(command, state)),
  evolve: (state, event) => {
    if (event.type === 'FreeTrialClaimed') {
      if (state.status === 'none') return state;
      return { ...state, freeTrials: { ...state.freeTrials, [event.data.offerId]: event.data.subscriptionId } };
    }
    return {
      status: 'active',
      id: event.data.customerId,
      partnerId: event.data.partnerId,
      companyName: event.data.companyName,
      domain: event.data.domain,
      createdAt: event.data.createdAt,
      testClockId: event.data.testClockId ?? null,
      freeTrials: {},
    };
  },
  initialState: () => ({ status: 'none' }),
  testClockOf: (state) => (state.status === 'none' ? null : state.testClockId),
};
