import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BILLING_CYCLES, type BillingCycle, TERM_DURATIONS, type TermDuration } from '@mfh/domain';
import type { OrderLineItemView, OrderView } from '@mfh/read-models';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOptionalNotNull, PageLinksDto } from './common.dto';

export class OrderLineItemRequest {
  @ApiProperty({ example: 'fabrikam-crm' }) @IsString() @MaxLength(64) offerId!: string;
  @ApiProperty({ example: 'standard' }) @IsString() @MaxLength(64) planId!: string;
  @ApiProperty({ example: 10, description: 'Seats, inside the plan limits' }) @IsInt() @Min(1) @Max(1_000_000) quantity!: number;
  @ApiProperty({ enum: [...TERM_DURATIONS], description: 'One the offer sells (GET /v1/offers)' }) @IsIn(TERM_DURATIONS) termDuration!: TermDuration;
  @ApiProperty({ enum: [...BILLING_CYCLES], description: "One of the term's billingCycles in GET /v1/offers; upfront: the whole term at once" })
  @IsIn(BILLING_CYCLES)
  billingCycle!: BillingCycle;
  @ApiPropertyOptional({ maxLength: 128, description: "Defaults to the offer's name" })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1024)
  friendlyName?: string;
  @ApiPropertyOptional({ example: '1234567', description: "Indirect reseller's MPN ID (6 to 10 digits)" })
  @IsOptionalNotNull()
  @Matches(/^\d{6,10}$/, { message: 'partnerIdOnRecord must be 6 to 10 digits' })
  partnerIdOnRecord?: string;
}

export class PlaceOrderRequest {
  @ApiProperty({ type: [OrderLineItemRequest] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderLineItemRequest)
  lineItems!: OrderLineItemRequest[];
}

export class OrderLineItemResponse implements OrderLineItemView {
  @ApiProperty() lineItemNumber!: number;
  @ApiProperty() offerId!: string;
  @ApiProperty() planId!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: string;
  @ApiProperty({ enum: [...BILLING_CYCLES] }) billingCycle!: string;
  @ApiProperty() friendlyName!: string;
  @ApiProperty({ nullable: true, type: String }) partnerIdOnRecord!: string | null;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
}

export class OrderResponse implements OrderView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: ['pending', 'completed'] }) status!: 'pending' | 'completed';
  @ApiProperty({ format: 'date-time' }) creationDate!: string;
  @ApiProperty({ type: [OrderLineItemResponse] }) lineItems!: OrderLineItemResponse[];
}

export class OrderListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [OrderResponse] }) items!: OrderResponse[];
  @ApiPropertyOptional({ type: PageLinksDto }) links?: PageLinksDto;
}

export class ActivationLinkDto {
  @ApiProperty({ example: 'http://localhost:4000/landing?token=eyJhbGciOiJkaXIi…' }) uri!: string;
  @ApiProperty({ example: 'GET' }) method!: 'GET';
  @ApiProperty({ type: [Object], example: [] }) headers!: object[];
}

export class ActivationLinkItem {
  @ApiProperty() lineItemNumber!: number;
  @ApiProperty({ type: ActivationLinkDto }) link!: ActivationLinkDto;
}

export class ActivationLinksResponse {
  @ApiProperty({ example: 1 }) totalCount!: number;
  @ApiProperty({ type: [ActivationLinkItem] }) items!: ActivationLinkItem[];
}
