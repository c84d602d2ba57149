import { subscriptionIdOf } from '@mfh/domain';
import { formatPosition, RecordedEvent } from '@mfh/event-store';
import type { AuditEventDto, AuditFeedEventDto } from './dto/audit-responses.dto';

export function auditEvent(event: RecordedEvent): AuditEventDto {
  return {
    id: event.id,
    revision: event.revision,
    position: formatPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as AuditEventDto['metadata'],
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash,
    previousHash: event.previousHash,
  };
}

export function auditFeedEvent(event: RecordedEvent): AuditFeedEventDto {
  return { streamId: event.streamId, subscriptionId: subscriptionIdOf(event.streamId), ...auditEvent(event) };
}
