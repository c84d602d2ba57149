import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QUEUES } from '@mfh/messaging';
import { SUSPENSION_REASONS, SuspensionReason } from '@mfh/domain';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { LinkDto, PageQuery } from '../partners/dto/common.dto';

export const QUEUE_NAMES: readonly string[] = Object.values(QUEUES);

export class DeadLetterQuery extends PageQuery {
  @ApiProperty({ enum: QUEUE_NAMES, description: 'The queue whose failed jobs to list' })
  @IsIn(QUEUE_NAMES, { message: `queue must be one of: ${QUEUE_NAMES.join(', ')}` })
  queue!: string;
}

export class SuspendRequest {
  @ApiProperty({ enum: SUSPENSION_REASONS, isArray: true, example: ['nonpayment'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsIn(SUSPENSION_REASONS, { each: true })
  suspensionReasons!: SuspensionReason[];
}

export class JobCountsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() prioritized!: number;
  @ApiProperty() completed!: number;
  @ApiProperty({ description: 'The dead letters: jobs that failed for good' }) failed!: number;
}

export class QueueBoardEntryDto {
  @ApiProperty({ enum: QUEUE_NAMES }) name!: string;
  @ApiProperty({ type: JobCountsDto }) counts!: JobCountsDto;
}

export class QueueBoardResponse {
  @ApiProperty({ type: [QueueBoardEntryDto] }) queues!: QueueBoardEntryDto[];
}

export class DeadLetterDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'apply-callback' }) name!: string;
  @ApiProperty({ type: Object, description: 'The job as it was queued' }) data!: object;
  @ApiProperty({ description: 'Why it failed, as the last attempt reported it' }) failedReason!: string;
  @ApiProperty() attemptsMade!: number;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) processedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) failedAt!: string | null;
}

export class DeadLetterLinksDto {
  @ApiPropertyOptional({ type: LinkDto }) next?: LinkDto;
}

export class DeadLetterListResponse {
  @ApiProperty({ enum: QUEUE_NAMES }) queue!: string;
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [DeadLetterDto] }) items!: DeadLetterDto[];
  @ApiPropertyOptional({ type: DeadLetterLinksDto }) links?: DeadLetterLinksDto;
}

export class ReplayResponse {
  @ApiProperty({ enum: QUEUE_NAMES }) queue!: string;
  @ApiProperty() jobId!: string;
  @ApiProperty({ enum: ['waiting'], description: 'The job is back in the queue with fresh attempts' }) status!: 'waiting';
}
