import fc from 'fast-check';
import { TermDuration, addDays, addDaysByDate, addMilliseconds, addMonths, addMonthsByDate, dateOf, daysInclusive, isAfter, termEndDate } from './time';

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / DAY_MS;
const nextDay = (date: string): string => dateOf(addMilliseconds(`${date}T00:00:00.000Z`, DAY_MS));

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = nextDay(day)) days.push(day);
  return days;
}

describe('termEndDate', () => {
  it.each([
    ['an ordinary date', '2025-03-10', '2025-04-09'],
    ['the first of the month', '2025-01-01', '2025-01-31'],
    ['the first of February', '2025-02-01', '2025-02-28'],
    ['the first of February in a leap year', '2024-02-01', '2024-02-29'],
    ['a day that exists in the next month', '2025-01-15', '2025-02-14'],
    ['January 31st, clamped to February 28th', '2025-01-31', '2025-02-27'],
    ['January 30th, clamped to February 28th', '2025-01-30', '2025-02-27'],
    ['January 28th', '2025-01-28', '2025-02-27'],
    ['January 31st in a leap year, clamped to February 29th', '2024-01-31', '2024-02-28'],
    ['January 29th in a leap year', '2024-01-29', '2024-02-28'],
    ['March 31st, clamped to April 30th', '2025-03-31', '2025-04-29'],
    ['February 28th', '2025-02-28', '2025-03-27'],
    ['February 29th', '2024-02-29', '2024-03-28'],
    ['December 1st', '2025-12-01', '2025-12-31'],
    ['mid-December, into next year', '2025-12-15', '2026-01-14'],
    ['December 31st, into next year', '2025-12-31', '2026-01-30'],
    ['November 30th', '2025-11-30', '2025-12-29'],
  ])('ends a P1M term starting on %s (%s) on %s', (_case, start, end) => {
    expect(termEndDate(start, 'P1M')).toBe(end);
  });

  it.each([
    ['an ordinary date', '2025-03-10', '2026-03-09'],
    ['January 1st, within the year', '2025-01-01', '2025-12-31'],
    ['December 31st', '2025-12-31', '2026-12-30'],
    ['February 28th before a leap day', '2023-02-28', '2024-02-27'],
    ['March 1st, spanning a leap day', '2023-03-01', '2024-02-29'],
    ['February 29th, clamped to February 28th', '2024-02-29', '2025-02-27'],
    ['February 28th of a leap year', '2024-02-28', '2025-02-27'],
  ])('ends a P1Y term starting on %s (%s) on %s', (_case, start, end) => {
    expect(termEndDate(start, 'P1Y')).toBe(end);
  });

  it.each<[string, TermDuration, string, string]>([
    ['an ordinary date', 'P2Y', '2025-03-10', '2027-03-09'],
    ['an ordinary date', 'P3Y', '2025-03-10', '2028-03-09'],
    ['March 1st, spanning a leap day', 'P2Y', '2027-03-01', '2029-02-28'],
    ['March 1st, spanning a leap day', 'P3Y', '2027-03-01', '2030-02-28'],
    ['February 29th, clamped to February 28th', 'P2Y', '2028-02-29', '2030-02-27'],
    ['February 28th, ending in a leap year', 'P3Y', '2025-02-28', '2028-02-27'],
    ['January 31st', 'P3Y', '2025-01-31', '2028-01-30'],
  ])('ends a multi-year term starting on %s (%s from %s) on %s', (_case, term, start, end) => {
    expect(termEndDate(start, term)).toBe(end);
  });

  // Every start date over six years, leap years 2024 and 2028 included.
  const starts = everyDay('2023-01-01', '2028-12-31');

  it.each<[TermDuration, number, number]>([
    ['P1M', 28, 31],
    ['P1Y', 365, 366],
    ['P2Y', 730, 731],
    ['P3Y', 1095, 1096],
  ])('makes every %s term between %i and %i days long, end inclusive', (term, min, max) => {
    for (const start of starts) {
      const length = daysBetween(start, termEndDate(start, term)) + 1;
      if (length < min || length > max) throw new Error(`${term} from ${start} lasts ${length} days`);
    }
  });

  it.each<TermDuration>(['P1M', 'P1Y', 'P2Y', 'P3Y'])('never ends a later %s term earlier than an earlier one', (term) => {
    let previous = '';
    for (const start of starts) {
      const end = termEndDate(start, term);
      if (end < previous) throw new Error(`${term} from ${start} ends ${end}, before ${previous}`);
      previous = end;
    }
  });

  it('starts the next term on the same day of the month, or the last day when that day does not exist', () => {
    for (const start of starts) {
      const next = nextDay(termEndDate(start, 'P1M'));
      const [year, month, day] = start.split('-').map(Number);
      const target = new Date(Date.UTC(year, month, 1));
      const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      const expected = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(day, lastDay)));
      expect({ start, next }).toEqual({ start, next: dateOf(expected.toISOString()) });
    }
  });
});

describe('addMilliseconds', () => {
  it('adds a cancellation window across a month end, in UTC', () => {
    expect(addMilliseconds('2025-03-29T22:00:00.000Z', 72 * 3_600_000)).toBe('2025-04-01T22:00:00.000Z');
  });

  it('normalises any ISO 8601 instant to UTC with milliseconds', () => {
    expect(addMilliseconds('2025-03-10T10:00:00+01:00', 14 * DAY_MS)).toBe('2025-03-24T09:00:00.000Z');
  });
});

describe('isAfter', () => {
  it.each([
    ['2025-03-13T09:00:00.001Z', '2025-03-13T09:00:00.000Z', true],
    ['2025-03-13T09:00:00.000Z', '2025-03-13T09:00:00.000Z', false],
    ['2025-03-13T08:59:59.999Z', '2025-03-13T09:00:00.000Z', false],
    ['2025-03-13T09:00:00Z', '2025-03-13T09:00:00.000Z', false],
    ['2025-03-13T10:00:00.001+01:00', '2025-03-13T09:00:00.000Z', true],
  ])('%s is after %s: %p', (a, b, expected) => {
    expect(isAfter(a, b)).toBe(expected);
  });
});

describe('dateOf', () => {
  it.each([
    ['2025-03-11T00:00:00.000Z', '2025-03-11'],
    ['2025-03-11T23:59:59.999Z', '2025-03-11'],
    ['2025-03-12T00:30:00+01:00', '2025-03-11'],
    ['2025-03-11T20:00:00-05:00', '2025-03-12'],
  ])('takes the UTC calendar date of %s', (iso, date) => {
    expect(dateOf(iso)).toBe(date);
  });
});

describe('addMonths', () => {
  it.each([
    ['an ordinary date', '2025-03-10', 1, '2025-04-10'],
    ['the 31st into a 30-day month', '2025-03-31', 1, '2025-04-30'],
    ['the 31st into February', '2025-01-31', 1, '2025-02-28'],
    ['the 31st into a leap February', '2028-01-31', 1, '2028-02-29'],
    ['the 31st two months on: the anniversary, not the clamped day', '2025-01-31', 2, '2025-03-31'],
    ['a leap day a year on', '2028-02-29', 12, '2029-02-28'],
    ['December into next year', '2025-12-15', 1, '2026-01-15'],
    ['nothing', '2025-05-05', 0, '2025-05-05'],
  ])('moves %s (%s) by %i months to %s', (_case, date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('agrees with termEndDate: a term ends the day before its anniversary', () => {
    for (const start of everyDay('2027-12-01', '2029-03-31')) {
      expect(termEndDate(start, 'P1M')).toBe(addDays(addMonths(start, 1), -1));
      expect(termEndDate(start, 'P1Y')).toBe(addDays(addMonths(start, 12), -1));
    }
  });
});

describe('daysInclusive', () => {
  it.each([
    ['2025-03-10', '2025-03-10', 1],
    ['2025-03-10', '2025-03-09', 0],
    ['2026-02-01', '2026-02-28', 28],
    ['2028-02-01', '2028-02-29', 29],
    ['2025-03-30', '2025-03-31', 2],
    ['2025-01-01', '2025-12-31', 365],
    ['2028-01-01', '2028-12-31', 366],
  ])('counts %s to %s as %i days', (from, to, days) => {
    expect(daysInclusive(from, to)).toBe(days);
  });
});

describe('calendar arithmetic without Date', () => {
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  // Days up to 31 in every month (Date.parse rolls 2026-02-30 over to March), years near both ends of the fast path.
  const dates = fc
    .tuple(fc.oneof(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1999, max: 2101 })), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
    .map(([year, month, day]) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);

  it('addDays agrees with Date for any day of any month and any offset', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -800_000, max: 800_000 }), (date, days) => {
        expect(addDays(date, days)).toBe(addDaysByDate(date, days));
      }),
      { numRuns: 20_000 },
    );
  });

  it('addMonths agrees with Date for any day of any month and any offset', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -30_000, max: 30_000 }), (date, months) => {
        expect(addMonths(date, months)).toBe(addMonthsByDate(date, months));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['a year before 1000', '0999-12-31', 1],
    ['past 9999', '9999-12-31', 1],
    ['into years before 1000', '1000-01-01', -1],
  ])('leaves %s to Date, with the same answer (%s + %i days)', (_case, date, days) => {
    expect(addDays(date, days)).toBe(addDaysByDate(date, days));
    expect(addMonths(date, days * 12)).toBe(addMonthsByDate(date, days * 12));
  });

  it('still refuses what is no date, as Date did', () => {
    for (const date of ['2026-02-32', '2026-13-01', '2026-00-10', 'soon']) expect(() => addDays(date, 1)).toThrow(RangeError);
  });
});
