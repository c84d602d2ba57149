/** Where a change came from, as auditors see it. */
export type EventSource = 'Partner' | 'Publisher' | 'System';

/** Carried by every stored event from its first commit (SPEC §9). */
export interface EventMetadata {
  [key: string]: unknown;
  /** The client id that caused it, or the system component. */
  actor: string;
  role: string;
  source: EventSource;
  correlationId: string;
  /** The message that directly caused this one: a request id, or the id of the triggering event or job. */
  causationId: string;
  requestId: string;
  occurredAt: string;
}
