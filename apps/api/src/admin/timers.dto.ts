import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class TimersQuery {
  @ApiProperty({ description: 'The subscription whose timers to list' })
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId!: string;
}

export class TimerDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['operation-auto-accept', 'renewal', 'billing-cycle', 'suspension-grace'] }) kind!: string;
  @ApiProperty({ enum: ['pending', 'fired', 'cancelled'], description: 'fired: its own command changed the subscription; cancelled: something else settled it first' })
  state!: string;
  @ApiProperty({ description: 'When it is due, in business time' }) dueAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The operation an auto-accept would accept' }) operationId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last day of the term a renewal ends, or a billing cycle belongs to' }) termEnd!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first day of the billing cycle a billing-cycle timer starts' }) cycleStart!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When it fired or was cancelled, in business time' }) settledAt!: string | null;
}

export class TimerListResponse {
  @ApiProperty() subscriptionId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The test clock whose advances fire them (sandbox); null: the wall clock' })
  testClockId!: string | null;
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [TimerDto] }) items!: TimerDto[];
}
