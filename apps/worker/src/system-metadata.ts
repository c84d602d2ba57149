import type { EventMetadata, RecordedEvent } from '@mfh/event-store';
import type { Job } from 'bullmq';

/** What a job that reacts to an event needs to sign the events it causes. */
export interface Reaction {
  /** The event that caused this job. */
  causationId: string;
  correlationId: string;
}

export function reactionTo(event: RecordedEvent): Reaction {
  return { causationId: event.id, correlationId: String(event.metadata.correlationId ?? event.id) };
}

/** Metadata of events the worker appends on its own account, caused by an earlier event. */
export function systemMetadata(actor: string, job: Job<Reaction>, now: Date): EventMetadata {
  return {
    actor,
    role: 'system',
    source: 'System',
    correlationId: job.data.correlationId,
    causationId: job.data.causationId,
    requestId: job.id ?? job.data.causationId,
    occurredAt: now.toISOString(),
  };
}
