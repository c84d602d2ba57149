import { DuplicateEventIdError } from '../event-store.errors';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store.port';
import { comparePositions } from '../global-position';
import { checkExpectedRevision, findIdempotentRepeat } from '../append-rules';
import { chainHashes } from '../event-hash';
import type { AppendListener, AppendWatch } from '../log-wakeups';

/** A process-local store for fast tests; appends are atomic because they never yield. */
export class InMemoryEventStore extends EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly ids = new Map<string, RecordedEvent>();
  private readonly listeners = new Set<AppendListener>();

  override watchAppends(listener: AppendListener): AppendWatch {
    this.listeners.add(listener);
    return { mayLag: false, close: async () => void this.listeners.delete(listener) };
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const expected = options.expectedRevision ?? 'any';
    const repeat = findIdempotentRepeat(streamId, events, (id) => this.ids.get(id), expected);
    if (repeat) return repeat;

    const current = stream.length - 1;
    checkExpectedRevision(streamId, expected, current);
    const batch = new Set<string>();
    for (const event of events) {
      if (this.ids.has(event.id) || batch.has(event.id)) throw new DuplicateEventIdError(streamId, event.id);
      batch.add(event.id);
    }
    if (events.length === 0) {
      const last = stream[stream.length - 1];
      return { nextExpectedRevision: current, position: last?.position ?? { commit: -1n, prepare: -1n } };
    }

    const recordedAt = new Date();
    const links = chainHashes(streamId, current + 1, stream[stream.length - 1]?.hash ?? null, events);
    const recorded = events.map((event, index): RecordedEvent => {
      const seq = BigInt(this.log.length + index);
      return {
        id: event.id,
        type: event.type,
        data: structuredClone(event.data),
        metadata: structuredClone(event.metadata),
        streamId,
        revision: current + 1 + index,
        position: { commit: seq, prepare: seq },
        recordedAt,
        ...links[index],
      };
    });
    for (const event of recorded) {
      this.log.push(event);
      this.ids.set(event.id, event);
    }
    this.streams.set(streamId, [...stream, ...recorded]);
    for (const listener of this.listeners) listener.appended();
    const last = recorded[recorded.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.streams.get(streamId) ?? [];
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? stream.length - 1;
      return stream.filter((e) => e.revision <= from).reverse().slice(0, maxCount).map(copy);
    }
    const from = options.fromRevision ?? 0;
    return stream.filter((e) => e.revision >= from).slice(0, maxCount).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after;
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const start = after ? this.log.findIndex((e) => comparePositions(e.position, after) > 0) : 0;
    if (start < 0) return [];
    return this.log.slice(start, start + maxCount).map(copy);
  }

  async hasEventAt(position: GlobalPosition): Promise<boolean> {
    return this.log.some((e) => comparePositions(e.position, position) === 0);
  }

  async headPosition(): Promise<GlobalPosition | null> {
    return this.log.at(-1)?.position ?? null;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

function copy(event: RecordedEvent): RecordedEvent {
  return { ...event, data: structuredClone(event.data), metadata: structuredClone(event.metadata) };
}
