import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import type { JsonObject, StreamRevision } from './event-store.port';

/**
 * What an event's hash covers. `recordedAt` and the global position are the store's own and are
 * left out, so that a stream keeps its hashes when it is copied from one store to another;
 * `metadata.occurredAt` is the business time and is covered.
 */
export interface HashedContent {
  readonly streamId: string;
  readonly revision: StreamRevision;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  /** The hash of the event at `revision - 1`; null for the first event of a stream. */
  readonly previousHash: string | null;
}

/**
 * The bytes an event's hash is taken over: the RFC 8785 (JSON Canonicalization Scheme)
 * serialization of `{data, eventId, metadata, previousHash, revision, streamId, type}`, with the
 * event id in lower case. RFC 8785 fixes key order, whitespace, string escapes and number format,
 * so any reader that parses the stored JSON gets the same bytes back, whatever the store did to
 * key order or spacing (PostgreSQL's jsonb reorders keys).
 */
export function canonicalEventContent(event: HashedContent): string {
  return canonicalize({
    data: event.data,
    eventId: event.id.toLowerCase(),
    metadata: event.metadata,
    previousHash: event.previousHash,
    revision: event.revision,
    streamId: event.streamId,
    type: event.type,
  });
}

/** Lower-case hex SHA-256 of {@link canonicalEventContent}: each event's hash chains it to the one before. */
export function eventHash(event: HashedContent): string {
  return createHash('sha256').update(canonicalEventContent(event), 'utf8').digest('hex');
}

/** The chain fields of new events appended after `previousHash`, starting at `firstRevision`. */
export function chainHashes(
  streamId: string,
  firstRevision: StreamRevision,
  previousHash: string | null,
  events: readonly { id: string; type: string; data: JsonObject; metadata: JsonObject }[],
): { hash: string; previousHash: string | null }[] {
  let previous = previousHash;
  return events.map((event, i) => {
    const hash = eventHash({ ...event, streamId, revision: firstRevision + i, previousHash: previous });
    const link = { hash, previousHash: previous };
    previous = hash;
    return link;
  });
}

/** A stored event as the verifier needs it. */
export interface ChainedEvent extends HashedContent {
  readonly hash: string;
}

export const CHAIN_BREAK_REASONS = ['content-altered', 'previous-hash-mismatch', 'revision-gap', 'truncated'] as const;
export type ChainBreakReason = (typeof CHAIN_BREAK_REASONS)[number];

export interface ChainBreak {
  readonly streamId: string;
  /** The first revision whose check fails. */
  readonly revision: StreamRevision;
  readonly reason: ChainBreakReason;
}

/** One stream's verification, as `GET /v1/audit/subscriptions/{id}/verify` reports it. */
export interface ChainVerification {
  readonly valid: boolean;
  /** How many events were checked. */
  readonly events: number;
  readonly brokenAtRevision: StreamRevision | null;
  readonly reason: ChainBreakReason | null;
}

interface StreamTip {
  nextRevision: StreamRevision;
  lastHash: string | null;
  broken: boolean;
}

/**
 * Recomputes hash chains over events of any number of streams, fed one at a time in an order where
 * each stream's events come in revision order (a stream read, or the global log). Each event must
 * start at the revision after its predecessor, name its predecessor's stored hash as its
 * `previousHash`, and carry the hash of its own content. An edited event fails its own content
 * check; an edited hash breaks the next event's link; a deleted event leaves a gap. A stream's
 * first break is reported once and the rest of that stream is skipped.
 *
 * A truncated tail (the last events of a stream deleted) leaves a valid, shorter chain: the chain
 * proves that what is there was not altered, not that nothing was removed from the end. A reader
 * that once saw the stream further (a read model records the last revision it applied) can tell:
 * {@link ChainVerifier.checkTail}.
 */
export class ChainVerifier {
  private readonly tips = new Map<string, StreamTip>();
  private checked = 0;
  private readonly found: ChainBreak[] = [];

  /** Checks one event; returns the break it reveals, if any. */
  add(event: ChainedEvent): ChainBreak | null {
    let tip = this.tips.get(event.streamId);
    if (!tip) {
      tip = { nextRevision: 0, lastHash: null, broken: false };
      this.tips.set(event.streamId, tip);
    }
    if (tip.broken) return null;
    this.checked++;
    const reason = this.check(tip, event);
    if (reason) {
      tip.broken = true;
      // A gap is where the missing event should have been.
      const revision = reason === 'revision-gap' ? tip.nextRevision : event.revision;
      const found: ChainBreak = { streamId: event.streamId, revision, reason };
      this.found.push(found);
      return found;
    }
    tip.nextRevision = event.revision + 1;
    tip.lastHash = event.hash;
    return null;
  }

  /**
   * After the pass: a stream known to have reached `seenRevision` that now ends before it (or is
   * gone) lost its last events. Returns that break, if any; a stream already broken is left as is.
   */
  checkTail(streamId: string, seenRevision: StreamRevision): ChainBreak | null {
    const tip = this.tips.get(streamId) ?? { nextRevision: 0, lastHash: null, broken: false };
    if (tip.broken || seenRevision < tip.nextRevision) return null;
    tip.broken = true;
    this.tips.set(streamId, tip);
    const found: ChainBreak = { streamId, revision: tip.nextRevision, reason: 'truncated' };
    this.found.push(found);
    return found;
  }

  /** Events checked so far (a broken stream's later events are not counted). */
  get events(): number {
    return this.checked;
  }

  get streams(): number {
    return this.tips.size;
  }

  get breaks(): readonly ChainBreak[] {
    return this.found;
  }

  private check(tip: StreamTip, event: ChainedEvent): ChainBreakReason | null {
    if (event.revision !== tip.nextRevision) return 'revision-gap';
    if (event.previousHash !== tip.lastHash) return 'previous-hash-mismatch';
    if (eventHash(event) !== event.hash) return 'content-altered';
    return null;
  }
}

/**
 * Verifies one stream's events, read forwards from revision 0. With `seenRevision`, the last
 * revision something once read of the stream, a stream that now ends before it is reported truncated.
 */
export function verifyChain(events: Iterable<ChainedEvent>, options: { seenRevision?: StreamRevision | null } = {}): ChainVerification {
  const verifier = new ChainVerifier();
  let streamId: string | null = null;
  for (const event of events) {
    streamId ??= event.streamId;
    const found = verifier.add(event);
    if (found) return broken(verifier, found);
  }
  const seen = options.seenRevision ?? null;
  if (seen !== null) {
    const found = verifier.checkTail(streamId ?? '', seen);
    if (found) return broken(verifier, found);
  }
  return { valid: true, events: verifier.events, brokenAtRevision: null, reason: null };
}

function broken(verifier: ChainVerifier, found: ChainBreak): ChainVerification {
  return { valid: false, events: verifier.events, brokenAtRevision: found.revision, reason: found.reason };
}
