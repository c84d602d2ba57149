import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsOptionalNotNull } from '../../partners/dto/common.dto';

/** The only version of the SaaS Fulfillment API v2 there is. */
export const API_VERSION = '2018-08-31';

const MAX_QUANTITY = 2_147_483_647;

/** Every fulfillment API call names the API version (checked first by ApiVersionGuard, listed here so it is documented and allowed). */
export class ApiVersionQuery {
  @ApiProperty({ name: 'api-version', enum: [API_VERSION], description: 'Required on every call' })
  @IsString()
  @IsIn([API_VERSION])
  'api-version'!: string;
}

export class ListSubscriptionsQuery extends ApiVersionQuery {
  @ApiPropertyOptional({ description: 'From @nextLink of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  continuationToken?: string;
}

export class ListAvailablePlansQuery extends ApiVersionQuery {
  @ApiPropertyOptional({ description: 'Only this plan' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  planId?: string;
}

/** Microsoft's `SubscriberPlan`, as Activate takes it. */
export class SaasActivateRequest {
  @ApiProperty({ example: 'standard', description: "Must be the subscription's plan" })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  planId!: string;

  @ApiPropertyOptional({ example: 5, nullable: true, description: "Must be the subscription's quantity; empty only for a plan that is not per seat" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_QUANTITY)
  quantity?: number | null;
}

/** Microsoft's `SubscriberPlan`, as Update Subscription takes it: exactly one of the two. */
export class SaasUpdateSubscriptionRequest {
  @ApiPropertyOptional({ example: 'enterprise', description: 'The plan to change to (without quantity)' })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  planId?: string;

  @ApiPropertyOptional({ example: 12, description: "The seats to change to, inside the plan's limits (without planId)" })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity?: number;
}

/** Microsoft's `UpdateOperation`: the publisher's answer to an operation that waits for it. */
export class SaasUpdateOperationRequest {
  @ApiProperty({ enum: ['Success', 'Failure'] })
  @IsString()
  @IsIn(['Success', 'Failure'])
  status!: 'Success' | 'Failure';

  @ApiPropertyOptional({ description: "When sent, must be the operation's plan" })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(64)
  planId?: string;

  @ApiPropertyOptional({ description: "When sent, must be the operation's quantity" })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_QUANTITY)
  quantity?: number;
}
