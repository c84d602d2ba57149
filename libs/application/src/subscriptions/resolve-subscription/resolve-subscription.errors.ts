import { DomainError } from '@mfh/domain';

/** Refusals of an authorization code: not subscription rules, so they live with the use case that opens codes. */
export const ResolveSubscriptionErrors = {
  invalidToken: () =>
    new DomainError(
      'invalid-marketplace-token',
      'validation',
      'x-ms-marketplace-token is not an authorization code issued by this marketplace, or it was altered.',
    ),
  expiredToken: () => new DomainError('expired-marketplace-token', 'validation', 'The authorization code has expired; open a fresh activation link.'),
  anotherPublisher: () =>
    new DomainError('marketplace-token-of-another-publisher', 'forbidden', 'The authorization code was issued for a subscription of another publisher.'),
};
