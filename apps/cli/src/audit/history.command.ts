import { GetSubscriptionHistory, GetSubscriptionHistoryHandler } from '@mfh/application';
import { isDomainError } from '@mfh/domain';
import { formatPosition, RecordedEvent } from '@mfh/event-store';
import { CliContext, CliExit, EXIT, write } from '../cli-context';
import { summarizeEvent, whoOf } from './event-summary';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseSubscriptionId(text: string): string {
  if (!UUID.test(text)) throw new CliExit(EXIT.usage, `Not a subscription id (a UUID): ${text}`);
  return text.toLowerCase();
}

/** An unknown subscription ends the command with exit 1 and says so. */
export function unknownSubscription(id: string): (error: unknown) => never {
  return (error) => {
    if (isDomainError(error) && error.code === 'subscription-not-found') throw new CliExit(EXIT.failed, `No subscription ${id}`);
    throw error;
  };
}

/** `audit history <subscriptionId> [--json]`: the subscription's events as a timeline, or as NDJSON. */
export async function history(context: CliContext, subscriptionId: string, options: { json?: boolean }): Promise<void> {
  const id = parseSubscriptionId(subscriptionId);
  const handler = new GetSubscriptionHistoryHandler(await context.eventStore());
  const events = await handler.execute(new GetSubscriptionHistory(id)).catch(unknownSubscription(id));
  const { stdout } = context.io;
  if (options.json) {
    for (const event of events) await write(stdout, `${JSON.stringify(exportedEvent(event))}\n`);
    return;
  }
  await write(stdout, `${timeline(id, events)}\n`);
}

/** A readable timeline: a heading, then each event as revision, time, type and who, with what it did underneath. */
export function timeline(subscriptionId: string, events: readonly RecordedEvent[]): string {
  const last = events[events.length - 1];
  const typeWidth = Math.max(...events.map((e) => e.type.length));
  const revisionWidth = String(last.revision).length;
  const lines = [`Subscription ${subscriptionId}: ${events.length} event${events.length === 1 ? '' : 's'}, revision ${last.revision}`, ''];
  for (const event of events) {
    const occurredAt = typeof event.metadata.occurredAt === 'string' ? event.metadata.occurredAt : event.recordedAt.toISOString();
    lines.push(`${String(event.revision).padStart(revisionWidth)}  ${occurredAt}  ${event.type.padEnd(typeWidth)}  ${whoOf(event.metadata)}`);
    lines.push(`${' '.repeat(revisionWidth)}  ${summarizeEvent(event)}`);
  }
  return lines.join('\n');
}

/** An event as `audit export` and `audit history --json` write it: one JSON object per line. */
export function exportedEvent(event: RecordedEvent): Record<string, unknown> {
  return {
    streamId: event.streamId,
    revision: event.revision,
    position: formatPosition(event.position),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash,
    previousHash: event.previousHash,
  };
}
