import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { FieldProblem } from './problem';

/** A request whose body, query or parameters fail validation: every field problem, with a JSON pointer. */
export class ValidationProblemException extends BadRequestException {
  constructor(readonly errors: FieldProblem[]) {
    super(errors.length === 1 ? errors[0].detail : `${errors.length} fields are invalid.`);
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer, detail }));
    return [...own, ...flatten(error.children ?? [], pointer)];
  });
}

/** Unknown fields are refused, types are checked, nothing is coerced silently. */
export const validationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblemException(flatten(errors)),
  });
