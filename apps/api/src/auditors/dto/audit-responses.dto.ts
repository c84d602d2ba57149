import { ApiProperty } from '@nestjs/swagger';
import { DIFFERENCE_REASONS } from '@mfh/application';
import { BILLING_CYCLES, CHARGE_TYPES, TERM_DURATIONS } from '@mfh/domain';
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

export class AuditChainDto {
  @ApiProperty({ description: 'Every event of the invoice stream matches its hash and links to the one before' }) valid!: boolean;
  @ApiProperty({ description: 'Events checked (up to and including the first broken one)' }) events!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The first revision whose check fails; null when valid' }) brokenAtRevision!: number | null;
  @ApiProperty({ enum: CHAIN_BREAK_REASONS, nullable: true, type: String }) reason!: string | null;
}

export class AuditInvoiceLineDto {
  @ApiProperty({ example: '5f0c2a41-…/charge/0', description: 'The line id: its cause’s id and its index' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The id of the subscription event that caused it' }) referenceId!: string;
  @ApiProperty() index!: number;
  @ApiProperty({ enum: CHARGE_TYPES }) chargeType!: string;
  @ApiProperty({ format: 'date-time', description: 'The cause’s business time: its month is the line’s period' }) occurredAt!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty() partnerId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty() offerId!: string;
  @ApiProperty() publisherId!: string;
  @ApiProperty() planId!: string;
  @ApiProperty({ nullable: true, type: String }) resellerMpnId!: string | null;
  @ApiProperty({ enum: [...TERM_DURATIONS] }) termDuration!: string;
  @ApiProperty({ enum: [...BILLING_CYCLES] }) billingCycle!: string;
  @ApiProperty({ example: '1 Month Subscription, Monthly billing' }) termAndBillingCycle!: string;
  @ApiProperty({ format: 'date' }) termStartDate!: string;
  @ApiProperty({ format: 'date' }) termEndDate!: string;
  @ApiProperty({ format: 'date' }) billingCycleStartDate!: string;
  @ApiProperty({ format: 'date' }) billingCycleEndDate!: string;
  @ApiProperty({ format: 'date' }) chargeStartDate!: string;
  @ApiProperty({ format: 'date' }) chargeEndDate!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ example: '12.00', description: 'Per seat per term' }) unitPrice!: string;
  @ApiProperty({ example: '12.00', description: 'One seat for the charged span' }) effectiveUnitPrice!: string;
  @ApiProperty({ example: '60.00', description: 'Negative for a credit' }) amount!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ nullable: true, type: String, description: 'For a cancelImmediate line, the line it gives back' }) reversesLineId!: string | null;
  @ApiProperty({ example: 'contoso-2026-03-USD', description: 'The invoice the line is (or should be) on' }) invoiceId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) testClockId!: string | null;
}

export class AuditInvoiceDifferenceDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The causing event’s id; null when a stored line’s is no string' })
  referenceId!: string | null;
  @ApiProperty({ example: '5f0c2a41-…/charge/0', nullable: true, type: String }) lineId!: string | null;
  @ApiProperty({
    enum: DIFFERENCE_REASONS,
    description:
      'missing: re-rating expects the line, the invoice does not hold it; unexpected: the invoice holds a line re-rating does not put on it; ' +
      'altered: both, with fields that differ; duplicate: the line is stored twice, here or on an earlier invoice too (chargedOn)',
  })
  reason!: string;
  @ApiProperty({ type: [String], example: ['amount'], description: 'The fields that differ (altered only)' }) fields!: string[];
  @ApiProperty({ type: AuditInvoiceLineDto, nullable: true, description: 'The line as re-rated; null when none belongs here' }) expected!: AuditInvoiceLineDto | null;
  @ApiProperty({ type: AuditInvoiceLineDto, nullable: true, description: 'The line as stored, whatever an edit made of it; null when missing' })
  stored!: AuditInvoiceLineDto | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The revision of its ChargeRecorded in the invoice stream' }) storedRevision!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'duplicate: the earlier invoice that holds the line too' }) chargedOn!: string | null;
}

export class AuditMovedLineDto {
  @ApiProperty() lineId!: string;
  @ApiProperty({ format: 'uuid' }) referenceId!: string;
  @ApiProperty({ description: 'The later invoice it is on, the period having been issued before it was charged' }) invoiceId!: string;
}

export class AuditStatedAmountDto {
  @ApiProperty({ description: 'What InvoiceIssued says', oneOf: [{ type: 'string' }, { type: 'number' }] }) stated!: unknown;
  @ApiProperty({ description: 'What the lines recorded before it give', oneOf: [{ type: 'string' }, { type: 'number' }] }) actual!: unknown;
}

export class AuditInvoiceIssuedDto {
  @ApiProperty({ description: 'lineCount, totalCharges and linesHash match the lines recorded before InvoiceIssued, and none came after it' }) valid!: boolean;
  @ApiProperty({ format: 'date-time', type: String, description: 'As InvoiceIssued says' }) invoiceDate!: unknown;
  @ApiProperty({ type: AuditStatedAmountDto }) lineCount!: AuditStatedAmountDto;
  @ApiProperty({ type: AuditStatedAmountDto }) totalCharges!: AuditStatedAmountDto;
  @ApiProperty({ type: AuditStatedAmountDto, description: 'SHA-256 over the lines’ views, one JSON line each (a reconciliation file’s bytes)' })
  linesHash!: AuditStatedAmountDto;
  @ApiProperty({ description: 'ChargeRecorded after InvoiceIssued: an issued invoice takes no more lines' }) linesAfterIssue!: number;
}

export class AuditInvoiceVerificationResponse {
  @ApiProperty({ example: 'contoso-2026-03-USD' }) invoiceId!: string;
  @ApiProperty({ enum: ['open', 'issued'] }) status!: 'open' | 'issued';
  @ApiProperty({ description: 'No difference, an intact hash chain, and (issued) an InvoiceIssued that matches its lines' }) valid!: boolean;
  @ApiProperty({ description: 'Lines stored on the invoice' }) lines!: number;
  @ApiProperty({ description: 'Lines re-rating puts on it' }) expectedLines!: number;
  @ApiProperty({ example: '144.00', description: 'The stored lines’ sum' }) totalCharges!: string;
  @ApiProperty({ example: '144.00', description: 'The expected lines’ sum' }) expectedTotalCharges!: string;
  @ApiProperty({ description: 'Subscriptions whose logs were re-rated' }) subscriptions!: number;
  @ApiProperty({ type: [AuditInvoiceDifferenceDto] }) differences!: AuditInvoiceDifferenceDto[];
  @ApiProperty({ type: [AuditMovedLineDto], description: 'Lines of this period on a later invoice, this one being issued when they were charged' })
  movedToLaterInvoices!: AuditMovedLineDto[];
  @ApiProperty({ type: AuditChainDto }) chain!: AuditChainDto;
  @ApiProperty({ type: AuditInvoiceIssuedDto, nullable: true, description: 'null while open' }) issued!: AuditInvoiceIssuedDto | null;
}
