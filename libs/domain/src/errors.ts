/**
 * How a broken rule maps onto HTTP: `validation` 400, `forbidden` 403, `not-found` 404,
 * `rule` and `conflict` 409, `precondition` 412, `unprocessable` 422.
 */
export type DomainErrorKind = 'validation' | 'forbidden' | 'not-found' | 'rule' | 'conflict' | 'precondition' | 'unprocessable';

/**
 * A refused command. `code` is stable and names the rule; `extensions` become problem-detail
 * members; `field` names the command field a validation error is about.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
