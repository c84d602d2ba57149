import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { QueryInteger } from '../../http/query-integer';

/** Optional, but when present must not be null (class-validator's IsOptional lets null through). */
export const IsOptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100, description: 'Items per page' })
  @IsOptional()
  @QueryInteger(1, 500)
  size?: number;

  @ApiPropertyOptional({ description: 'From links.next of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  continuationToken?: string;
}

export class LinkDto {
  @ApiProperty({ example: '/v1/customers?size=100&continuationToken=WyIyMDI2…' }) uri!: string;
  @ApiProperty({ example: 'GET' }) method!: string;
  @ApiProperty({ type: [Object], example: [] }) headers!: object[];
}

export class PageLinksDto {
  @ApiPropertyOptional({ type: LinkDto, description: 'Present while more items remain' }) next?: LinkDto;
}

export class ProblemDto {
  @ApiProperty({ example: '/problems/cancellation-window-closed' }) type!: string;
  @ApiProperty({ example: 'Conflict' }) title!: string;
  @ApiProperty({ example: 409 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional({ description: 'Field problems: JSON pointer and what is wrong', example: [{ pointer: '/quantity', detail: 'quantity must be an integer number' }] })
  errors?: { pointer: string; detail: string }[];
}
