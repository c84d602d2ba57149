import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CustomerView } from '@mfh/read-models';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageLinksDto } from './common.dto';

export class CreateCustomerRequest {
  @ApiProperty({ example: 'Adatum Corporation', minLength: 1, maxLength: 255 })
  @IsString()
  @MaxLength(1024)
  companyName!: string;

  @ApiPropertyOptional({ example: 'adatum.com', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  domain?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Sandbox only (SANDBOX=true, else a 400): the test clock the customer lives on; everything of theirs then happens in its time',
  })
  @IsOptional()
  @IsUUID('all', { message: 'testClockId must be a UUID' })
  testClockId?: string;
}

export class CustomerResponse implements CustomerView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() companyName!: string;
  @ApiProperty({ nullable: true, type: String }) domain!: string | null;
  @ApiProperty({ example: 'contoso' }) partnerId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Only for a sandbox customer: its test clock' }) testClockId?: string;
}

export class CustomerListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [CustomerResponse] }) items!: CustomerResponse[];
  @ApiPropertyOptional({ type: PageLinksDto }) links?: PageLinksDto;
}

