import type { EventMetadata } from '@mfh/event-store';
import type { Reaction } from '@mfh/messaging';
import type { Job } from 'bullmq';

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
