import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AttemptOutcome, DELIVERY_STATES, DeliveryState, NotificationAttempt, NotificationDelivery } from '@mfh/read-models';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageLinksDto, PageQuery } from '../partners/dto/common.dto';

const OUTCOMES: AttemptOutcome[] = ['delivered', 'rejected', 'retrying', 'dead-lettered'];

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only notifications about this subscription' })
  @IsOptional()
  @IsUUID('all')
  subscriptionId?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: 'Only deliveries in this state (dead-lettered: the failed ones)' })
  @IsOptional()
  @IsIn(DELIVERY_STATES)
  state?: DeliveryState;
}

export class NotificationAttemptResponse implements NotificationAttempt {
  @ApiProperty({ format: 'uuid' }) deliveryId!: string;
  @ApiProperty({ example: 1, description: '1 for the first POST, counting up' }) attempt!: number;
  @ApiProperty({ format: 'uuid' }) operationId!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ example: 'fabrikam' }) publisherId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Where it was posted; null when the publisher had no notification URL' })
  url!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ type: Number, nullable: true, description: "The publisher's HTTP status; null when it did not answer" })
  httpStatus!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'no response within 10000 ms' }) error!: string | null;
  @ApiProperty({ enum: OUTCOMES }) outcome!: AttemptOutcome;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due, while retrying' })
  nextAttemptAt!: string | null;
}

export class NotificationDeliveryResponse implements Omit<NotificationDelivery, 'payload'> {
  @ApiProperty({ format: 'uuid', description: 'The delivery id: the id of the event that caused it, and of its job' }) id!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ example: 'fabrikam' }) publisherId!: string;
  @ApiProperty({ format: 'uuid', description: 'The operation notified: the payload id' }) operationId!: string;
  @ApiProperty({ enum: ['ChangeQuantity', 'ChangePlan', 'Unsubscribe', 'Renew'] }) action!: string;
  @ApiProperty({ enum: ['InProgress', 'Succeeded', 'Failed'], description: 'The operation status notified' }) operationStatus!: string;
  @ApiProperty({ example: 'SeatChangeRequested' }) eventType!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state!: DeliveryState;
  @ApiProperty() attemptCount!: number;
  @ApiProperty({ type: NotificationAttemptResponse, nullable: true }) lastAttempt!: NotificationAttemptResponse | null;
}

export class NotificationDeliveryDetailResponse extends NotificationDeliveryResponse {
  @ApiProperty({ type: Object, description: "The JSON posted: Microsoft's webhook payload" }) payload!: object;
}

export class NotificationDeliveryListResponse {
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [NotificationDeliveryResponse] }) items!: NotificationDeliveryResponse[];
  @ApiPropertyOptional({ type: PageLinksDto }) links?: PageLinksDto;
}

export class NotificationAttemptListResponse {
  @ApiProperty({ format: 'uuid' }) deliveryId!: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state!: DeliveryState;
  @ApiProperty() totalCount!: number;
  @ApiProperty({ type: [NotificationAttemptResponse] }) items!: NotificationAttemptResponse[];
}
