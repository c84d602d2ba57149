import { Query } from '@nestjs/cqrs';
import type { SaasPlan } from './saas-plans';

/** The plans the subscription may be on, the current one included; `planId` narrows them to that one (none when unknown). */
export class ListAvailablePlans extends Query<SaasPlan[]> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly planId: string | undefined,
  ) {
    super();
  }
}
