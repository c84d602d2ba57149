import { fromCents } from '../shared/money';
import type { TermDuration } from '../shared/time';
import type { BillingCycle } from '../subscription/subscription.events';
import type { Cents } from './billing-cycles';

/** Partner Center's reconciliation charge types, as SPEC §12 names them. */
export type ChargeType = 'new' | 'cycleCharge' | 'addQuantity' | 'removeQuantity' | 'convert' | 'cancelImmediate' | 'renew';
export const CHARGE_TYPES: readonly ChargeType[] = ['new', 'cycleCharge', 'addQuantity', 'removeQuantity', 'convert', 'cancelImmediate', 'renew'];

/** One charge or credit, as rating derives it from one subscription event. Money in integer cents. */
export interface ChargeLine {
  /** {@link chargeLineId} of the cause and the line's index: a re-rate gives the same id. */
  id: string;
  /** The id of the subscription event that caused it. */
  referenceId: string;
  /** Its place among the lines of that event, from 0. */
  index: number;
  chargeType: ChargeType;
  /** The cause's business time (its metadata.occurredAt). */
  occurredAt: string;
  subscriptionId: string;
  partnerId: string;
  customerId: string;
  orderId: string;
  offerId: string;
  publisherId: string;
  /** The plan charged or credited (for `convert`, the old plan on the credit and the new one on the charge). */
  planId: string;
  /** The indirect reseller's MPN id at the time of the charge. */
  resellerMpnId: string | null;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  /** Partner Center's wording, e.g. "1 Year Subscription, Monthly billing". */
  termAndBillingCycle: string;
  termStartDate: string;
  termEndDate: string;
  /** The billing cycle the line belongs to, inclusive dates. */
  billingCycleStartDate: string;
  billingCycleEndDate: string;
  /** The span charged or credited, inclusive dates. */
  chargeStartDate: string;
  chargeEndDate: string;
  /** Seats charged or credited; never negative (the sign is on `amount`). */
  quantity: number;
  /** Per seat per term, as the catalog sells it. */
  unitPrice: Cents;
  /** What one seat costs for the charged span, rounded down to the cent. */
  effectiveUnitPrice: Cents;
  /** `±quantity × effectiveUnitPrice`: negative for a credit. */
  amount: Cents;
  currency: string;
  /** For a `cancelImmediate` line, the line it is the exact negative of. */
  reversesLineId: string | null;
}

/** A charge line as partners and auditors read it: money as decimal strings with two places. */
export interface FormattedChargeLine extends Omit<ChargeLine, 'unitPrice' | 'effectiveUnitPrice' | 'amount'> {
  unitPrice: string;
  effectiveUnitPrice: string;
  amount: string;
  billableQuantity: number;
  subtotal: string;
  /** No tax engine. */
  taxTotal: string;
  totalForCustomer: string;
}

/**
 * `<referenceId>/charge/<index>`. Not a uuid: the domain does no hashing. An event store that needs
 * one takes `derivedId(line.id)`, which is `derivedId(referenceId, 'charge', index)`.
 */
export const chargeLineId = (referenceId: string, index: number): string => `${referenceId}/charge/${index}`;

const TERM_TEXT: Record<TermDuration, string> = {
  P1M: '1 Month Subscription',
  P1Y: '1 Year Subscription',
  P2Y: '2 Year Subscription',
  P3Y: '3 Year Subscription',
};
const CYCLE_TEXT: Record<BillingCycle, string> = { monthly: 'Monthly billing', annual: 'Annual billing', upfront: 'Upfront billing' };

/**
 * Partner Center's onetime (marketplace) lines say "1 Month Subscription" / "1 Year Subscription"
 * (and "2 Year…", "3 Year…"); the billing cycle is added because a year billed monthly and one
 * billed annually must be told apart.
 */
export const termAndBillingCycleOf = (termDuration: TermDuration, billingCycle: BillingCycle): string =>
  `${TERM_TEXT[termDuration]}, ${CYCLE_TEXT[billingCycle]}`;

export function formatChargeLine(line: ChargeLine): FormattedChargeLine {
  const amount = fromCents(line.amount);
  return {
    ...line,
    unitPrice: fromCents(line.unitPrice),
    effectiveUnitPrice: fromCents(line.effectiveUnitPrice),
    amount,
    billableQuantity: line.quantity,
    subtotal: amount,
    taxTotal: '0.00',
    totalForCustomer: amount,
  };
}

/** The sum of the lines, in cents. */
export const totalOf = (lines: readonly Pick<ChargeLine, 'amount'>[]): Cents => lines.reduce((sum, line) => sum + line.amount, 0);
