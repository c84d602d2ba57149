import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OperationView, PartnerSubscriptionView } from '@mfh/read-models';
import { SUSPENSION_REASONS } from '@mfh/domain';
import { BILLING_CYCLES, type BillingCycle, TERM_DURATIONS, type TermDuration } from '@mfh/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull, PageLinksDto } from './common.dto';

/** Partner Center's `scheduledNextTermInstructions`: what the next term changes; a member left out stays as it is. */
export class NextTermInstructionsRequest {
  @ApiPropertyOptional({ example: 'enterprise', description: 'A plan of the offer the subscription may move to (listAvailablePlans)' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  planId?: string;

  @ApiPropertyOptional({ example: 12, description: "Seats, inside the (new) plan's limits" })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @ApiPropertyOptional({ enum: [...TERM_DURATIONS], description: 'A term the offer sells for the plan (GET /v1/offers)' })
  @IsOptionalNotNull()
  @IsIn(TERM_DURATIONS)
  termDuration?: TermDuration;

  @ApiPropertyOptional({ enum: [...BILLING_CYCLES], description: "One of the term's billingCycles in GET /v1/offers; a P1M term is only billed monthly" })
  @IsOptionalNotNull()
  @IsIn(BILLING_CYCLES)
  billingCycle?: BillingCycle;
}

export class UpdateSubscriptionRequest {
  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'Nickname, trimmed' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1024)
  friendlyName?: string;

  @ApiPropertyOptional({ description: "Seats, inside the plan's limits. Once billing started this waits for the publisher (202)" })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @ApiPropertyOptional({ description: 'false: the subscription ends with its term' })
  @IsOptionalNotNull()
  @IsBoolean()
  autoRenewEnabled?: boolean;

  @ApiPropertyOptional({ nullable: true, example: '1234567', description: "Indirect reseller's MPN ID (6 to 10 digits); null removes it" })
  @IsOptional()
  @Matches(/^\d{6,10}$/, { message: 'partnerId must be 6 to 10 digits, or null' })
  partnerId?: string | null;

  @ApiPropertyOptional({
    enum: ['deleted', 'suspended', 'active'],
    description:
      'deleted: cancels, inside the cancellation window. suspended (with suspensionReasons): suspends an active subscription. ' +
      'active: asks to reinstate a suspended one; the publisher answers (202, see Operation-Location)',
  })
  @IsOptionalNotNull()
  @IsIn(['deleted', 'suspended', 'active'])
  status?: 'deleted' | 'suspended' | 'active';

  @ApiPropertyOptional({ enum: SUSPENSION_REASONS, isArray: true, description: 'Why: required with status suspended, and only with it' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsIn(SUSPENSION_REASONS, { each: true })
  suspensionReasons?: ('nonpayment' | 'fraud' | 'other')[];

  @ApiPropertyOptional({
    type: NextTermInstructionsRequest,
    nullable: true,
    description:
      'Changes applied at the next renewal, all at once: at least one member; null clears them. Needs auto-renew on; ' +
      'turning auto-renew off, or a plan or seat change before the renewal, clears them',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NextTermInstructionsRequest)
  scheduledNextTermInstructions?: NextTermInstructionsRequest | null;
}

export class NextTermInstructionsResponse {
  @ApiProperty() planId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: TermDuration;
  @ApiProperty({ enum: [...BILLING_CYCLES] }) billingCycle!: BillingCycle;
}

export class ActionNeededDto {
  @ApiProperty() reason!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String], example: ['cancel'] }) blockedOperations!: string[];
}

export class OperationResponse implements OperationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ChangeQuantity' }) action!: string;
  @ApiProperty({ enum: ['InProgress', 'Succeeded', 'Failed'] }) status!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt!: string | null;
}

export class SubscriptionResponse implements PartnerSubscriptionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() lineItemNumber!: number;
  @ApiProperty() offerId!: string;
  @ApiProperty() offerName!: string;
  @ApiProperty() planId!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty() publisherName!: string;
  @ApiProperty() friendlyName!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ enum: ['pending', 'active', 'suspended', 'deleted'] }) status!: 'pending' | 'active' | 'suspended' | 'deleted';
  @ApiProperty({ enum: SUSPENSION_REASONS, isArray: true, nullable: true, description: 'Why it is suspended, while it is' })
  suspensionReasons!: string[] | null;
  @ApiProperty({ description: 'In its free trial: billed 0.00, cancellable at any time, converted to the paid term at its end unless auto-renew is off' })
  isTrial!: boolean;
  @ApiProperty({ description: '"Action needed": the publisher asks for something' }) attentionNeeded!: boolean;
  @ApiProperty({ type: ActionNeededDto, nullable: true }) actionNeeded!: ActionNeededDto | null;
  @ApiProperty({ nullable: true, type: String, description: "The publisher's landing page with an authorization code, while pending" })
  activationLink!: string | null;
  @ApiProperty() licensesAssigned!: boolean;
  @ApiProperty() fulfillmentConfirmed!: boolean;
  @ApiProperty({ format: 'date', nullable: true, type: String }) billingStartDate!: string | null;
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: string;
  @ApiProperty({ enum: [...BILLING_CYCLES] }) billingCycle!: string;
  @ApiProperty({ format: 'date', nullable: true, type: String, description: 'Last day of the term, inclusive' }) commitmentEndDate!: string | null;
  @ApiProperty() autoRenewEnabled!: boolean;
  @ApiProperty({ nullable: true, type: String, description: "Indirect reseller's MPN ID" }) partnerId!: string | null;
  @ApiProperty({ format: 'date-time' }) cancellationAllowedUntilDate!: string;
  @ApiProperty({ format: 'date-time' }) creationDate!: string;
  @ApiProperty({ type: [OperationResponse] }) pendingOperations!: OperationResponse[];
  @ApiProperty({
    format: 'date',
    nullable: true,
    type: String,
    example: '2026-04-02',
    description:
      'The day the next charge falls: the next cycle of a term billed in several (monthly, or annual over two or three years), otherwise the renewal day (the day after commitmentEndDate) ' +
      'while auto-renew is on. null before billing starts, and when nothing more will be charged (auto-renew off in the last cycle, deleted)',
  })
  nextChargeDate!: string | null;
  @ApiProperty({
    example: '144.00',
    description: "What the current term has cost so far: the sum of its charge lines (credits negative), two decimals; 0.00 before the first",
  })
  currentTermCharged!: string;
  @ApiProperty({
    type: NextTermInstructionsResponse,
    nullable: true,
    description: 'What the next renewal changes, fully resolved (members the PATCH left out are the current values); null when it renews as it is',
  })
  scheduledNextTermInstructions!: NextTermInstructionsResponse | null;
}

export class SubscriptionListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [SubscriptionResponse] }) items!: SubscriptionResponse[];
  @ApiPropertyOptional({ type: PageLinksDto }) links?: PageLinksDto;
}

