import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { BoundedCache } from '@mfh/event-store';
import type { FieldProblem } from './problem';

/** A request whose body, query or parameters fail validation: every field problem, with a JSON pointer. */
export class ValidationProblemException extends BadRequestException {
  constructor(readonly errors: FieldProblem[]) {
    super(errors.length === 1 ? errors[0].detail : `${errors.length} fields are invalid.`);
  }
}

/** Once a value has the wrong type, its range and its members say nothing more; the first of these that failed is the problem. */
const TYPE_CONSTRAINTS = ['isArray', 'isString', 'isInt', 'isBoolean', 'nestedValidation'];

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${error.property}`;
    const constraints = error.constraints ?? {};
    const wrongType = TYPE_CONSTRAINTS.find((name) => name in constraints);
    if (wrongType) return [{ pointer, detail: constraints[wrongType] }];
    const own = Object.values(constraints).map((detail) => ({ pointer, detail }));
    return [...own, ...flatten(error.children ?? [], pointer)];
  });
}

const MAX_DEPTH = 32;
/** Valid JSON that PostgreSQL's jsonb cannot store: NUL, and surrogates without their pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storable = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

/** Checked before class-transformer, which recurses without limit and would overflow the stack on deep nesting. */
function unstorable(value: unknown, pointer: string, name: string, depth = 0): FieldProblem[] {
  if (typeof value === 'string') return storable(value) ? [] : [{ pointer, detail: `${name} must not contain NUL characters or unpaired surrogates` }];
  if (typeof value !== 'object' || value === null) return [];
  if (depth >= MAX_DEPTH) return [{ pointer, detail: `The body is nested more than ${MAX_DEPTH} levels deep.` }];
  return Object.entries(value).flatMap(([key, member]) =>
    unstorable(member, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, key, depth + 1),
  );
}

/** Longer query strings are validated each time: a key is kept per distinct query. */
const MAX_KEPT_QUERY = 1_024;

/**
 * Refuses a body that is not a JSON object (array, string, number, null) before class-validator sees
 * a stand-in for it. A query that passed is kept by its text: the same query of the same DTO passes
 * again, and clients send the same few (`api-version=…`) on every call.
 */
class RequestValidationPipe extends ValidationPipe {
  /** By DTO class, then by the query's JSON. */
  private readonly passedQueries = new Map<unknown, BoundedCache<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && metadata.metatype && this.toValidate(metadata)) {
      const key = JSON.stringify(value);
      if (key.length > MAX_KEPT_QUERY) return super.transform(value, metadata);
      let kept = this.passedQueries.get(metadata.metatype);
      if (!kept) this.passedQueries.set(metadata.metatype, (kept = new BoundedCache(1_000)));
      const passed = kept.get(key);
      // A copy of its own for each request, of the DTO's class, as class-transformer would make it.
      if (passed) return Object.assign(Object.create(metadata.metatype.prototype as object) as object, passed);
      const validated = (await super.transform(value, metadata)) as object;
      kept.set(key, { ...validated });
      return validated;
    }
    if (metadata.type === 'body' && this.toValidate(metadata) && value !== undefined) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ValidationProblemException([{ pointer: '', detail: 'The body must be a JSON object.' }]);
      }
      const problems = unstorable(value, '', 'body');
      if (problems.length > 0) throw new ValidationProblemException(problems);
    }
    return super.transform(value, metadata);
  }

  /** Path parameters reach their own pipes as sent, so `01` or `1e3` cannot turn into a line item number on the way. */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/** Unknown fields are refused, types are checked, nothing is coerced silently. */
export const validationPipe = (): ValidationPipe =>
  new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblemException(flatten(errors)),
  });
