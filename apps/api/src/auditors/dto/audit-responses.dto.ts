import { ApiProperty } from '@nestjs/swagger';
import { CHAIN_BREAK_REASONS } from '@mfh/event-store';
import { SubscriptionResponse } from '../../partners/dto/subscription.dto';

const SOURCES = ['Partner', 'Publisher', 'System'];

export class AuditEventMetadataDto {
  @ApiProperty({ example: 'contoso-partner', description: 'The client id that caused the event, or the system component (billing, …)' })
  actor!: string;
  @ApiProperty({ example: 'partner', description: 'partner, publisher or system' }) role!: string;
  @ApiProperty({ enum: SOURCES }) source!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ description: 'What directly caused it: a request id, or the id of the event or job that triggered it' }) causationId!: string;
  @ApiProperty() requestId!: string;
  @ApiProperty({ format: 'date-time', description: 'Business time: the clock the command was decided on' }) occurredAt!: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid', description: 'The event id (covered by the hash)' }) id!: string;
  @ApiProperty({ example: 0, description: 'Revision inside its stream; the first event is 0' }) revision!: number;
  @ApiProperty({ example: '1042-17', description: 'Position in the global log; usable as after= of the feed' }) position!: string;
  @ApiProperty({ example: 'SubscriptionPurchased' }) type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event as stored' }) data!: object;
  @ApiProperty({ type: AuditEventMetadataDto }) metadata!: AuditEventMetadataDto;
  @ApiProperty({ format: 'date-time', description: 'When the store wrote it' }) recordedAt!: string;
  @ApiProperty({ example: '3f1c…', description: 'SHA-256 (hex) over the canonical content (RFC 8785 JSON of data, eventId, metadata, previousHash, revision, streamId, type)' })
  hash!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The hash of the event at revision - 1; null at revision 0' }) previousHash!: string | null;
}

export class AuditHistoryResponse {
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ example: 'subscription-0b9e…' }) streamId!: string;
  @ApiProperty({ type: [AuditEventDto], description: 'Every event of the subscription, in revision order' }) events!: AuditEventDto[];
}

export class AuditFeedEventDto extends AuditEventDto {
  @ApiProperty({ example: 'subscription-0b9e…' }) streamId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Set when the stream is a subscription’s' }) subscriptionId!: string | null;
}

export class AuditFeedResponse {
  @ApiProperty({ type: [AuditFeedEventDto], description: 'In global order' }) events!: AuditFeedEventDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1042-17',
    description: 'after= for the next page while the page came back full; null at the end of the log (to follow it later, poll with the last event’s position)',
  })
  next!: string | null;
}

export class AuditStateResponse {
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ description: 'The revision of the last event applied' }) revision!: number;
  @ApiProperty({ format: 'date-time', description: 'Business time (metadata.occurredAt) of the last event applied' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the store wrote the last event applied' }) recordedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'The asOf asked for; null when asked by revision' }) asOf!: string | null;
  @ApiProperty({
    type: SubscriptionResponse,
    description:
      'The subscription as its partner saw it then, in the partner API’s shape. activationLink is always null: ' +
      'a link carries an authorization code issued when it is read, and replaying history issues none',
  })
  subscription!: SubscriptionResponse;
}

export class AuditVerificationResponse {
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ description: 'Every event’s hash matches its content and links to the one before' }) valid!: boolean;
  @ApiProperty({ description: 'Events checked (up to and including the first broken one)' }) events!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The first revision whose check fails; null when valid' }) brokenAtRevision!: number | null;
  @ApiProperty({ enum: CHAIN_BREAK_REASONS, nullable: true, type: String, description: 'Why that revision fails; null when valid' }) reason!: string | null;
}
