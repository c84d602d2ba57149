import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidationArguments } from 'class-validator';

/** Decimal digits only: no sign, exponent, hex prefix, fraction or spaces. 15 digits stay exact in a double. */
const DECIMAL_DIGITS = /^\d{1,15}$/;

/**
 * A whole number in a query string, from min to max. Only decimal digits become a number; anything
 * else (`0x10`, `1e2`, `+5`, ``, a repeated parameter) stays as sent, and IsInt refuses it naming
 * the field. Number() or class-transformer's `@Type(() => Number)` would take all of those.
 */
export const QueryInteger = (min: number, max: number) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value)),
    IsInt({ message: ({ property }: ValidationArguments) => `${property} must be a whole number in decimal digits` }),
    Min(min),
    Max(max),
  );
