import { addDays, daysInclusive, termEndDate } from '../shared/time';
import { billingCycleOn, billingCyclesOf, BillingTerm, cycleUnitPrice, firstCycleCharge, nextBillingCycleOf, proratedUnitPrice } from './billing-cycles';

const yearFrom = (termStart: string, billingCycle: BillingTerm['billingCycle'] = 'monthly'): BillingTerm => ({
  termStart,
  termEnd: termEndDate(termStart, 'P1Y'),
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
});
