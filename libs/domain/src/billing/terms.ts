import { TERM_MONTHS, TermDuration } from '../shared/time';
import { BILLING_CYCLES, BillingCycle } from '../subscription/subscription.events';

/**
 * The billing cycles a term can be sold with at all; the catalog narrows them per offer and term.
 * A month is only ever billed monthly (billed annually it would charge a year's cycle for a month).
 */
export function billingCyclesFor(termDuration: TermDuration): readonly BillingCycle[] {
  return termDuration === 'P1M' ? ['monthly'] : BILLING_CYCLES;
}

/**
 * DOMAIN §4.5 (plan-saas-offer.md, 2023): a 2- or 3-year term with future payments, i.e. billed
 * monthly or annually, cannot be cancelled once its window has closed until the term is complete.
 * Billed upfront, nothing is left to pay, and the usual rules hold.
 */
export function isCommittedTerm(term: { termDuration: TermDuration; billingCycle: BillingCycle }): boolean {
  return TERM_MONTHS[term.termDuration] > 12 && term.billingCycle !== 'upfront';
}
