import { Query } from '@nestjs/cqrs';

/** The publisher's landing page for a line item's subscription; `uri` is null once there is none (cancelled). */
export interface ActivationLinkResult {
  lineItemNumber: number;
  uri: string | null;
}

/** The activation link of one line item of an order of the partner's customer. */
export class GetActivationLinks extends Query<ActivationLinkResult> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly orderId: string,
    readonly lineItemNumber: number,
  ) {
    super();
  }
}
