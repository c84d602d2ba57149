/** Money as decimal strings with two places ("12.00"); arithmetic in integer cents. */
export interface Money {
  readonly amount: string;
  readonly currency: string;
}

const DECIMAL = /^\d{1,12}(\.\d{1,2})?$/;

export function isDecimalAmount(amount: string): boolean {
  return DECIMAL.test(amount);
}

export function toCents(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
