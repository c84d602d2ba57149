import { Query } from '@nestjs/cqrs';
import type { ResolvedSubscription } from '@mfh/read-models';

/** The subscription an activation link's authorization code stands for (the landing page's `token=`, URL-decoded). */
export class ResolveSubscription extends Query<ResolvedSubscription> {
  constructor(
    readonly publisherId: string,
    readonly code: string,
  ) {
    super();
  }
}
