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

/**
 * Calendar dates as integers, without a Date: a partner's view works out its next charge date from
 * a dozen of these, for every row of a list. Only dates of years 1000 to 9999 with a month of 1 to 12
 * and a day of 1 to 31 take this path (a day past the month's end rolls over, as Date.parse does);
 * anything else goes through Date, as before.
 */
const CANONICAL_DATE = /^[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The `YYYY-MM-DD` date `days` after 1970-01-01, or null outside years 1000 to 9999 (civil_from_days). */
function civilFromDays(days: number): string | null {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return year >= 1000 && year <= 9999 ? formatDate(year, month, day) : null;
}

const formatDate = (year: number, month: number, day: number): string => `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The calendar date `days` after a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  if (CANONICAL_DATE.test(date) && Number.isSafeInteger(days)) {
    const fast = civilFromDays(daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))) + days);
    if (fast !== null) return fast;
  }
  return addDaysByDate(date, days);
}

/** addDays through Date: what it falls back on, and what its integer path is held to (time.spec.ts). */
export function addDaysByDate(date: string, days: number): string {
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
  if (CANONICAL_DATE.test(date) && Number.isSafeInteger(months)) {
    const monthIndex = Number(date.slice(5, 7)) - 1 + months;
    const year = Number(date.slice(0, 4)) + Math.floor(monthIndex / 12);
    const month = (((monthIndex % 12) + 12) % 12) + 1;
    if (year >= 1000 && year <= 9999) return formatDate(year, month, Math.min(Number(date.slice(8, 10)), daysInMonth(year, month)));
  }
  return addMonthsByDate(date, months);
}

/** addMonths through Date: what it falls back on, and what its integer path is held to (time.spec.ts). */
export function addMonthsByDate(date: string, months: number): string {
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
