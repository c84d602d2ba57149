import { fromCents, isDecimalAmount, toCents } from './money';

describe('isDecimalAmount', () => {
  it.each(['0', '12', '12.5', '12.00', '0.05', '999999999999.99'])('accepts %p', (amount) => {
    expect(isDecimalAmount(amount)).toBe(true);
  });

  it.each(['', '.5', '12.', '12.345', '-1.00', '1e3', '1,00', ' 12.00', '1234567890123'])('refuses %p', (amount) => {
    expect(isDecimalAmount(amount)).toBe(false);
  });
});

describe('toCents', () => {
  it.each([
    ['12.00', 1200],
    ['12.5', 1250],
    ['12', 1200],
    ['0.05', 5],
    ['0.29', 29],
    ['1.10', 110],
    ['999999999999.99', 99_999_999_999_999],
  ])('reads %p as %i cents, without floating-point error', (amount, cents) => {
    expect(toCents(amount)).toBe(cents);
  });
});

describe('fromCents', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [110, '1.10'],
    [1200, '12.00'],
    [99_999_999_999_999, '999999999999.99'],
    [-150, '-1.50'],
  ])('writes %i cents as %p', (cents, amount) => {
    expect(fromCents(cents)).toBe(amount);
  });

  it.each([
    [5832.75, '58.33'],
    [5832.25, '58.32'],
    [0.5, '0.01'],
  ])('rounds %p cents to the nearest cent', (cents, amount) => {
    expect(fromCents(cents)).toBe(amount);
  });
});

describe('round trips', () => {
  it('reads back every amount it writes, from 0.00 to 1000.00', () => {
    for (let cents = 0; cents <= 100_000; cents++) {
      if (toCents(fromCents(cents)) !== cents) throw new Error(`${cents} cents became ${fromCents(cents)}`);
    }
  });

  it.each([
    ['12.5', '12.50'],
    ['12', '12.00'],
    ['0.05', '0.05'],
    ['007.10', '7.10'],
  ])('normalises %p to %p', (amount, normal) => {
    expect(fromCents(toCents(amount))).toBe(normal);
  });
});
