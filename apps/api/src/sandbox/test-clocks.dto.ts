import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ExistingTestClock } from '@mfh/domain';
import type { TestClockView } from '@mfh/read-models';
import { IsISO8601, IsString, Matches, MaxLength } from 'class-validator';
import { PageLinksDto } from '../partners/dto/common.dto';

/** A full instant with its offset: a clock without a zone would mean a different time to every reader. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const INSTANT_MESSAGE = 'frozenTime must be an ISO 8601 date-time with a time zone, such as 2027-01-01T00:00:00Z';

class FrozenTime {
  @ApiProperty({ format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsString()
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  @IsISO8601({ strict: true }, { message: 'frozenTime is not a valid date and time' })
  frozenTime!: string;
}

export class CreateTestClockRequest extends FrozenTime {
  @ApiProperty({ example: 'A year of renewals', minLength: 1, maxLength: 255 })
  @IsString()
  @MaxLength(1024)
  name!: string;
}

export class AdvanceTestClockRequest extends FrozenTime {}

export class TestClockResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time', description: 'The clock’s time; mid-advance, the due time of the timers it fired last' }) frozenTime!: string;
  @ApiProperty({ enum: ['ready', 'advancing'] }) status!: 'ready' | 'advancing';
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Where the running advance goes' }) advancingTo!: string | null;
  @ApiProperty({ format: 'date-time', description: 'Wall time of creation' }) createdAt!: string;
}

export class TestClockListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [TestClockResponse] }) items!: TestClockResponse[];
  @ApiPropertyOptional({ type: PageLinksDto }) links?: PageLinksDto;
}

export const testClockResponse = (clock: ExistingTestClock | TestClockView): TestClockResponse => ({
  id: clock.id,
  name: clock.name,
  frozenTime: clock.frozenTime,
  status: clock.status,
  advancingTo: clock.advancingTo,
  createdAt: clock.createdAt,
});
