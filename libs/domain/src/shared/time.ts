/** Calendar arithmetic on UTC instants, for terms and windows. Everything in and out is ISO 8601. */

/** How long a term runs: Microsoft's TermUnit values that this marketplace sells (it has P4Y and P5Y too). */
export type TermDuration = 'P1M' | 'P1Y' | 'P2Y' | 'P3Y';

export const TERM_DURATIONS: readonly TermDuration[] = ['P1M', 'P1Y', 'P2Y', 'P3Y'];

/** Calendar months in a term. */
export const TERM_MONTHS: Readonly<Record<TermDuration, number>> = { P1M: 1, P1Y: 12, P2Y: 24, P3Y: 36 };

export function addMilliseconds(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function isAfter(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function dateOf(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().slice(0, 10);
}

/** The calendar date `days` after a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The inclusive last day of a term that starts on `startDate` (`YYYY-MM-DD`): one month, or one to
 * three years, later, minus a day. A start on the 31st ends on the last day before the same day next month, clamped.
 */
export function termEndDate(startDate: string, term: TermDuration): string {
  return addDays(addMonths(startDate, TERM_MONTHS[term]), -1);
}

/**
 * The same day `months` calendar months after a `YYYY-MM-DD` date, clamped to the last day of a
 * shorter month: the anniversaries a term and its billing cycles are counted from.
 */
export function addMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const targetMonthIndex = month - 1 + months;
  const targetYear = year + Math.floor(targetMonthIndex / 12);
  const targetMonth = ((targetMonthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return new Date(Date.UTC(targetYear, targetMonth, Math.min(day, lastDay))).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (`YYYY-MM-DD`), both counted: the same day is 1, the day before is 0. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / 86_400_000) + 1;
}
