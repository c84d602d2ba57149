import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AadIdentifier,
  ResolvedSubscription,
  SaasOperation,
  SaasSubscription,
  SaasSubscriptionStatus,
  SaasTerm,
} from '@mfh/read-models';
import type { SaasPlan, SaasPlanComponents, SaasRecurrentBillingTerm } from '@mfh/application';
import { TERM_DURATIONS, type TermDuration } from '@mfh/domain';

/** The response shapes of Microsoft's SaaS Fulfillment API v2 (`components.schemas`), for the OpenAPI document. */

export class SaasAadIdentifier implements AadIdentifier {
  @ApiPropertyOptional({ format: 'email', description: 'Not sent: this system knows no user of the tenant' }) emailId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Stable id derived from the customer (beneficiary) or partner (purchaser)' })
  objectId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Beneficiary: the customer id; purchaser: derived from the partner id' })
  tenantId?: string;
  @ApiPropertyOptional() puid?: string;
}

export class SaasSubscriptionTerm implements SaasTerm {
  @ApiProperty({ enum: [...TERM_DURATIONS], description: "Microsoft's TermUnit (which also has P4Y and P5Y)" }) termUnit!: TermDuration;
  @ApiPropertyOptional({ format: 'date-time', description: 'First day of the term; once billing has started' }) startDate?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Last day of the term; once billing has started' }) endDate?: string;
  @ApiPropertyOptional({ enum: [...TERM_DURATIONS], description: 'How often the term is charged: P1M monthly, P1Y annually, the term itself upfront' })
  chargeDuration?: string;
}

export class SaasSubscriptionResponse implements SaasSubscription {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty() offerId!: string;
  @ApiProperty({ description: 'The partner’s nickname for it' }) name!: string;
  @ApiProperty({ enum: ['PendingFulfillmentStart', 'Subscribed', 'Suspended', 'Unsubscribed'] })
  saasSubscriptionStatus!: SaasSubscriptionStatus;
  @ApiProperty({ type: SaasAadIdentifier, description: 'The customer' }) beneficiary!: SaasAadIdentifier;
  @ApiProperty({ type: SaasAadIdentifier, description: 'The reseller partner' }) purchaser!: SaasAadIdentifier;
  @ApiProperty() planId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: SaasSubscriptionTerm }) term!: SaasSubscriptionTerm;
  @ApiProperty() autoRenew!: boolean;
  @ApiProperty({ example: false }) isTest!: boolean;
  @ApiProperty({ example: false }) isFreeTrial!: boolean;
  @ApiProperty({ enum: ['Read', 'Update', 'Delete'], isArray: true, example: ['Read'], description: 'A CSP purchase: Read' })
  allowedCustomerOperations!: ('Read' | 'Update' | 'Delete')[];
  @ApiProperty({ enum: ['None', 'Csp'] }) sandboxType!: 'None' | 'Csp';
  @ApiProperty({ enum: ['None', 'DryRun'] }) sessionMode!: 'None' | 'DryRun';
  @ApiProperty({ format: 'date-time' }) created!: string;
}

export class SaasResolvedSubscription implements ResolvedSubscription {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() subscriptionName!: string;
  @ApiProperty() offerId!: string;
  @ApiProperty() planId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: SaasSubscriptionResponse }) subscription!: SaasSubscriptionResponse;
}

export class SaasSubscriptionsResponse {
  @ApiProperty({ type: [SaasSubscriptionResponse] }) subscriptions!: SaasSubscriptionResponse[];
  @ApiPropertyOptional({ name: '@nextLink', format: 'uri', description: 'The next page, while more remain' }) '@nextLink'?: string;
}

export class SaasRecurrentBillingTermDto implements SaasRecurrentBillingTerm {
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 12, description: 'Per seat per term when the plan is per seat' }) price!: number;
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termUnit!: TermDuration;
  @ApiProperty({ example: '1 month' }) termDescription!: string;
}

export class SaasPlanComponentsDto implements SaasPlanComponents {
  @ApiProperty({ type: [SaasRecurrentBillingTermDto] }) recurrentBillingTerms!: SaasRecurrentBillingTermDto[];
  @ApiProperty({ type: [Object], example: [], description: 'Always empty: no metered dimensions' }) meteringDimensions!: never[];
}

export class SaasPlanDto implements SaasPlan {
  @ApiProperty() planId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() isPrivate!: boolean;
  @ApiProperty() description!: string;
  @ApiProperty() minQuantity!: number;
  @ApiProperty() maxQuantity!: number;
  @ApiProperty() hasFreeTrials!: boolean;
  @ApiProperty() isPricePerSeat!: boolean;
  @ApiProperty({ example: false }) isStopSell!: boolean;
  @ApiProperty({ type: SaasPlanComponentsDto }) planComponents!: SaasPlanComponentsDto;
}

export class SaasSubscriptionPlans {
  @ApiProperty({ type: [SaasPlanDto] }) plans!: SaasPlanDto[];
}

export class SaasOperationResponse implements SaasOperation {
  @ApiProperty({ format: 'uuid', description: 'The operation id' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'Derived from the operation id; the same in the webhook notification' }) activityId!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty() offerId!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty({ description: 'The plan the operation leads to' }) planId!: string;
  @ApiProperty({ description: 'The quantity the operation leads to' }) quantity!: number;
  @ApiProperty({ enum: ['Unsubscribe', 'ChangePlan', 'ChangeQuantity', 'Renew'] }) action!: SaasOperation['action'];
  @ApiProperty({ format: 'date-time', description: 'When it was requested, or when it finished' }) timeStamp!: string;
  @ApiProperty({ enum: ['InProgress', 'Succeeded', 'Failed'] }) status!: SaasOperation['status'];
  @ApiProperty({ enum: ['Azure', 'Partner'], description: 'Partner: the reseller asked for it; Azure: the publisher or the marketplace itself' })
  operationRequestSource!: SaasOperation['operationRequestSource'];
}

export class SaasOperationList {
  @ApiProperty({ type: [SaasOperationResponse], description: 'The operations still InProgress' }) operations!: SaasOperationResponse[];
}
