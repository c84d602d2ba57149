import { addDays, daysInclusive, TERM_DURATIONS, TermDuration, termEndDate } from '../shared/time';
import { BILLING_CYCLES } from '../subscription/subscription.events';
import { billingCycleOn, billingCyclesOf, BillingTerm, cycleUnitPrice, firstCycleCharge, nextBillingCycleOf, proratedUnitPrice } from './billing-cycles';

const yearFrom = (termStart: string, billingCycle: BillingTerm['billingCycle'] = 'monthly'): BillingTerm => ({
  termStart,
  termEnd: termEndDate(termStart, 'P1Y'),
  billingCycle,
});
const termFrom = (termStart: string, termDuration: TermDuration, billingCycle: BillingTerm['billingCycle']): BillingTerm => ({
  termStart,
  termEnd: termEndDate(termStart, termDuration),
  billingCycle,
});
const spans = (term: BillingTerm) => billingCyclesOf(term).map(({ start, end }) => `${start}..${end}`);

describe('billingCyclesOf', () => {
  it('makes a month billed monthly, and a year billed annually, one cycle: the term', () => {
    expect(billingCyclesOf({ termStart: '2025-03-11', termEnd: '2025-04-10', billingCycle: 'monthly' })).toEqual([{ index: 0, start: '2025-03-11', end: '2025-04-10' }]);
    expect(billingCyclesOf(yearFrom('2025-03-11', 'annual'))).toEqual([{ index: 0, start: '2025-03-11', end: '2026-03-10' }]);
  });

  it('splits a year billed monthly into twelve months from the term start', () => {
    const cycles = billingCyclesOf(yearFrom('2025-03-11'));
    expect(cycles).toHaveLength(12);
    expect(cycles[1]).toEqual({ index: 1, start: '2025-04-11', end: '2025-05-10' });
    expect(cycles[11]).toEqual({ index: 11, start: '2026-02-11', end: '2026-03-10' });
  });

  it('keeps a term starting on the 31st on each month’s anniversary (the 31st or the month’s last day)', () => {
    expect(spans(yearFrom('2025-01-31'))).toEqual([
      '2025-01-31..2025-02-27',
      '2025-02-28..2025-03-30',
      '2025-03-31..2025-04-29',
      '2025-04-30..2025-05-30',
      '2025-05-31..2025-06-29',
      '2025-06-30..2025-07-30',
      '2025-07-31..2025-08-30',
      '2025-08-31..2025-09-29',
      '2025-09-30..2025-10-30',
      '2025-10-31..2025-11-29',
      '2025-11-30..2025-12-30',
      '2025-12-31..2026-01-30',
    ]);
  });

  it('starts a month on a leap day', () => {
    expect(spans(yearFrom('2028-01-31')).slice(0, 2)).toEqual(['2028-01-31..2028-02-28', '2028-02-29..2028-03-30']);
    expect(spans(yearFrom('2028-02-29')).slice(-1)).toEqual(['2029-01-29..2029-02-27']);
  });

  it('covers every day of every term exactly once, for any start date', () => {
    for (let start = '2027-12-01'; start <= '2029-03-31'; start = addDays(start, 1)) {
      for (const billingCycle of ['monthly', 'annual'] as const) {
        const term = yearFrom(start, billingCycle);
        const cycles = billingCyclesOf(term);
        expect(cycles[0].start).toBe(term.termStart);
        expect(cycles[cycles.length - 1].end).toBe(term.termEnd);
        cycles.slice(1).forEach((cycle, i) => expect(cycle.start).toBe(addDays(cycles[i].end, 1)));
        expect(cycles.reduce((days, c) => days + daysInclusive(c.start, c.end), 0)).toBe(daysInclusive(term.termStart, term.termEnd));
        expect(cycles).toHaveLength(billingCycle === 'monthly' ? 12 : 1);
      }
    }
  });

  it('bills a term upfront in one cycle, the whole term, however long', () => {
    expect(spans(termFrom('2027-01-05', 'P1Y', 'upfront'))).toEqual(['2027-01-05..2028-01-04']);
    expect(spans(termFrom('2027-01-05', 'P2Y', 'upfront'))).toEqual(['2027-01-05..2029-01-04']);
    expect(spans(termFrom('2027-01-05', 'P3Y', 'upfront'))).toEqual(['2027-01-05..2030-01-04']);
  });

  it('splits a multi-year term billed annually into its years, counted from the term start', () => {
    expect(spans(termFrom('2027-01-05', 'P2Y', 'annual'))).toEqual(['2027-01-05..2028-01-04', '2028-01-05..2029-01-04']);
    expect(spans(termFrom('2027-01-05', 'P3Y', 'annual'))).toEqual(['2027-01-05..2028-01-04', '2028-01-05..2029-01-04', '2029-01-05..2030-01-04']);
  });

  it('splits a three-year term billed monthly into 36 months', () => {
    const cycles = billingCyclesOf(termFrom('2027-01-05', 'P3Y', 'monthly'));
    expect(cycles).toHaveLength(36);
    expect(cycles[12]).toEqual({ index: 12, start: '2028-01-05', end: '2028-02-04' });
    expect(cycles[35]).toEqual({ index: 35, start: '2029-12-05', end: '2030-01-04' });
  });

  it('gives the year holding a leap day 366 days, and keeps a term from a leap day on the clamped anniversary', () => {
    const years = billingCyclesOf(termFrom('2027-03-01', 'P2Y', 'annual'));
    expect(years.map((c) => [c.start, c.end, daysInclusive(c.start, c.end)])).toEqual([
      ['2027-03-01', '2028-02-29', 366],
      ['2028-03-01', '2029-02-28', 365],
    ]);
    expect(spans(termFrom('2028-02-29', 'P3Y', 'annual'))).toEqual(['2028-02-29..2029-02-27', '2029-02-28..2030-02-27', '2030-02-28..2031-02-27']);
  });

  it('covers every day of every term, one month to three years, each way of billing it, exactly once', () => {
    const count = { monthly: (months: number) => months, annual: (months: number) => Math.max(1, months / 12), upfront: () => 1 };
    for (let start = '2027-12-01'; start <= '2029-03-31'; start = addDays(start, 3)) {
      for (const termDuration of TERM_DURATIONS) {
        for (const billingCycle of BILLING_CYCLES) {
          const term = termFrom(start, termDuration, billingCycle);
          const cycles = billingCyclesOf(term);
          expect(cycles[0].start).toBe(term.termStart);
          expect(cycles[cycles.length - 1].end).toBe(term.termEnd);
          cycles.slice(1).forEach((cycle, i) => expect(cycle.start).toBe(addDays(cycles[i].end, 1)));
          const months = { P1M: 1, P1Y: 12, P2Y: 24, P3Y: 36 }[termDuration];
          expect({ start, termDuration, billingCycle, cycles: cycles.length }).toEqual({ start, termDuration, billingCycle, cycles: count[billingCycle](months) });
        }
      }
    }
  });

  it('gives a degenerate term one cycle instead of none', () => {
    expect(billingCyclesOf({ termStart: '2025-03-11', termEnd: '2025-03-11', billingCycle: 'monthly' })).toEqual([{ index: 0, start: '2025-03-11', end: '2025-03-11' }]);
  });
});

describe('billingCycleOn and nextBillingCycleOf', () => {
  const term = yearFrom('2025-03-11');

  it('finds the cycle a date falls in, its first and last days included', () => {
    expect(billingCycleOn(term, '2025-04-11').index).toBe(1);
    expect(billingCycleOn(term, '2025-05-10').index).toBe(1);
    expect(billingCycleOn(term, '2025-03-01').index).toBe(0);
    expect(billingCycleOn(term, '2027-01-01').index).toBe(11);
  });

  it('gives the cycle after one, none after the last', () => {
    expect(nextBillingCycleOf(term, '2025-03-11')).toEqual({ index: 1, start: '2025-04-11', end: '2025-05-10' });
    expect(nextBillingCycleOf(term, '2026-02-11')).toBeNull();
  });
});

describe('proratedUnitPrice', () => {
  it.each([
    ['a whole month of a month', 1200, 1, 31, 31, 1200],
    ['22 of 31 days', 1200, 1, 22, 31, 851],
    ['the last day of 31', 1200, 1, 1, 31, 38],
    ['half of February', 1200, 1, 14, 28, 600],
    ['a whole month of a year', 14400, 12, 30, 30, 1200],
    ['a twelfth, rounded down', 9999, 12, 1, 1, 833],
    ['16 of 31 days of a twelfth', 14400, 12, 16, 31, 619],
    ['no days left', 1200, 1, 0, 31, 0],
    ['more days than the cycle has', 1200, 1, 40, 31, 1200],
  ])('prices %s', (_case, unitPrice, cycles, remaining, days, expected) => {
    expect(proratedUnitPrice(unitPrice, cycles, remaining, days)).toBe(expected);
  });

  it('is exact where unitPrice × days would pass 2^53', () => {
    const unitPrice = 99_999_999_999_999; // 999,999,999,999.99
    for (const [cycles, remaining, days] of [
      [1, 181, 365],
      [12, 17, 31],
      [1, 365, 366],
    ]) {
      const exact = (BigInt(unitPrice) * BigInt(remaining)) / BigInt(cycles * days);
      expect(proratedUnitPrice(unitPrice, cycles, remaining, days)).toBe(Number(exact));
    }
  });
});

describe('firstCycleCharge', () => {
  it('charges every seat the cycle price: quantity × the price split over the cycles, rounded down per seat', () => {
    expect(firstCycleCharge(yearFrom('2025-03-11'), '99.99', 7)).toBe(7 * 833);
    expect(firstCycleCharge(yearFrom('2025-03-11', 'annual'), '99.99', 7)).toBe(69_993);
    expect(cycleUnitPrice(14_400, 12)).toBe(1200);
  });

  it('splits a multi-year price, per seat per term, over its cycles: a year of P3Y 540.00 is 180.00, a month 15.00', () => {
    expect(firstCycleCharge(termFrom('2027-01-05', 'P3Y', 'annual'), '540.00', 3)).toBe(3 * 18_000);
    expect(firstCycleCharge(termFrom('2027-01-05', 'P3Y', 'monthly'), '540.00', 3)).toBe(3 * 1_500);
    expect(firstCycleCharge(termFrom('2027-01-05', 'P3Y', 'upfront'), '540.00', 3)).toBe(3 * 54_000);
    expect(firstCycleCharge(termFrom('2027-01-05', 'P2Y', 'annual'), '380.00', 3)).toBe(3 * 19_000);
    // 99.99 over 36 months: 277.75 cents, 2.77 a month.
    expect(firstCycleCharge(termFrom('2027-01-05', 'P3Y', 'monthly'), '99.99', 1)).toBe(277);
  });
});
