import { randomUUID } from 'node:crypto';
import { AppendOutcome, DELETED_STREAM_REVISION, ProposedEvent, StandInLog, STREAM_DELETED_TYPE } from './stand-in-log';

const proposed = (): ProposedEvent => ({
  id: randomUUID(),
  type: 'Happened',
  isJson: true,
  data: Buffer.from('{}'),
  customMetadata: new Uint8Array(),
});

function written(outcome: AppendOutcome): { currentRevision: bigint | null; position: bigint } {
  if (outcome.kind !== 'success') throw new Error(`expected a success, got ${outcome.kind}`);
  return outcome;
}

describe('StandInLog', () => {
  describe('with an explicit expectation (no_stream or a revision)', () => {
    it('repeats the original result when the same events follow the expected revision', () => {
      const log = new StandInLog();
      const batch = [proposed(), proposed()];
      const first = written(log.append('s', { kind: 'no_stream' }, batch));
      expect(log.append('s', { kind: 'no_stream' }, batch)).toEqual(first);
      expect(log.readStream('s', 'start', 'forwards', 100n)).toHaveLength(2);
    });

    it('accepts a repeated prefix of what follows the expected revision', () => {
      const log = new StandInLog();
      const batch = [proposed(), proposed(), proposed()];
      log.append('s', { kind: 'no_stream' }, batch);
      const again = written(log.append('s', { kind: 'revision', revision: 0n }, [batch[1]]));
      expect(again.currentRevision).toBe(1n);
    });

    it('refuses a batch that only partly matches the events after the expected revision', () => {
      const log = new StandInLog();
      const batch = [proposed(), proposed()];
      log.append('s', { kind: 'no_stream' }, batch);
      expect(log.append('s', { kind: 'no_stream' }, [batch[0], proposed()])).toEqual({
        kind: 'wrong_expected_version',
        currentRevision: 1n,
      });
    });

    it('refuses an empty batch behind the end of the stream', () => {
      const log = new StandInLog();
      log.append('s', { kind: 'any' }, [proposed(), proposed()]);
      expect(log.append('s', { kind: 'revision', revision: 0n }, []).kind).toBe('wrong_expected_version');
    });
  });

  describe('with any or stream_exists', () => {
    it('treats ids already in the stream as a repeat, wherever they are', () => {
      const log = new StandInLog();
      const batch = [proposed(), proposed()];
      const first = written(log.append('s', { kind: 'any' }, batch));
      log.append('s', { kind: 'any' }, [proposed()]);
      expect(log.append('s', { kind: 'any' }, batch)).toEqual(first);
      expect(log.append('s', { kind: 'stream_exists' }, batch)).toEqual(first);
      expect(log.readStream('s', 'start', 'forwards', 100n)).toHaveLength(3);
    });

    it('refuses a batch whose first id is known and a later one is not', () => {
      const log = new StandInLog();
      const known = proposed();
      log.append('s', { kind: 'any' }, [known]);
      expect(log.append('s', { kind: 'any' }, [known, proposed()])).toEqual({
        kind: 'wrong_expected_version',
        currentRevision: 0n,
      });
    });

    it('writes an id already used in another stream again', () => {
      const log = new StandInLog();
      const shared = proposed();
      log.append('a', { kind: 'any' }, [shared]);
      expect(written(log.append('b', { kind: 'any' }, [shared])).currentRevision).toBe(0n);
    });
  });

  it('records an empty append in the log without an event and reports the stream as it is', () => {
    const log = new StandInLog();
    const before = written(log.append('s', { kind: 'any' }, [proposed()]));
    const empty = written(log.append('s', { kind: 'revision', revision: 0n }, []));
    expect(empty.currentRevision).toBe(0n);
    expect(empty.position).toBeGreaterThan(before.position);
    expect(log.readAll('start', 'forwards', 100n)).toHaveLength(1);
    expect(written(log.append('new', { kind: 'no_stream' }, [])).currentRevision).toBeNull();
  });

  it('reads $all forwards from a position inclusively and backwards from it exclusively', () => {
    const log = new StandInLog();
    log.append('a', { kind: 'any' }, [proposed(), proposed(), proposed()]);
    const [, middle] = log.readAll('start', 'forwards', 100n);
    const at = { commit: middle.position, prepare: middle.position };
    expect(log.readAll(at, 'forwards', 100n).map((e) => e.revision)).toEqual([1n, 2n]);
    expect(log.readAll(at, 'backwards', 100n).map((e) => e.revision)).toEqual([0n]);
    expect(log.readAll('end', 'backwards', 1n).map((e) => e.revision)).toEqual([2n]);
    expect(log.readAll('end', 'forwards', 100n)).toEqual([]);
  });

  it('gives every event a larger position and a created time no earlier than the one before', () => {
    const log = new StandInLog();
    for (let i = 0; i < 5; i++) log.append(`s-${i % 2}`, { kind: 'any' }, [proposed(), proposed()]);
    const events = log.readAll('start', 'forwards', 100n);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].position).toBeGreaterThan(events[i - 1].position);
      expect(events[i].created).toBeGreaterThanOrEqual(events[i - 1].created);
    }
  });

  it('reads a stream by revision in both directions and reports a missing stream as null', () => {
    const log = new StandInLog();
    log.append('s', { kind: 'any' }, [proposed(), proposed(), proposed(), proposed()]);
    const revisions = (from: bigint | 'start' | 'end', direction: 'forwards' | 'backwards', count = 100n): bigint[] =>
      (log.readStream('s', from, direction, count) ?? []).map((e) => e.revision);
    expect(revisions(1n, 'forwards', 2n)).toEqual([1n, 2n]);
    expect(revisions('end', 'backwards', 2n)).toEqual([3n, 2n]);
    expect(revisions(1n, 'backwards')).toEqual([1n, 0n]);
    expect(revisions('end', 'forwards')).toEqual([]);
    expect(log.readStream('missing', 'start', 'forwards', 100n)).toBeNull();
  });

  describe('tombstone', () => {
    it('checks the expectation as an append does and then refuses every append and tombstone', () => {
      const log = new StandInLog();
      log.append('s', { kind: 'any' }, [proposed(), proposed()]);
      expect(log.tombstone('s', { kind: 'revision', revision: 0n })).toEqual({ kind: 'wrong_expected_version', currentRevision: 1n });
      expect(log.tombstone('s', { kind: 'no_stream' })).toEqual({ kind: 'wrong_expected_version', currentRevision: 1n });
      expect(log.tombstone('s', { kind: 'revision', revision: 1n }).kind).toBe('success');
      expect(log.isDeleted('s')).toBe(true);
      for (const kind of ['any', 'no_stream', 'stream_exists'] as const) expect(log.append('s', { kind }, [proposed()])).toEqual({ kind: 'stream_deleted' });
      expect(log.tombstone('s', { kind: 'any' })).toEqual({ kind: 'stream_deleted' });
    });

    it('leaves its record in $all at revision long.MaxValue, and may bury a stream that never existed', () => {
      const log = new StandInLog();
      const outcome = log.tombstone('never', { kind: 'no_stream' });
      const [record] = log.readAll('end', 'backwards', 1n);
      expect(record).toMatchObject({ streamId: 'never', type: STREAM_DELETED_TYPE, revision: DELETED_STREAM_REVISION, isJson: false });
      expect(outcome).toEqual({ kind: 'success', position: record.position });
    });
  });

  describe('checkAllPosition', () => {
    const log = new StandInLog();
    log.append('a', { kind: 'any' }, [proposed(), proposed()]);
    const eventless = written(log.append('a', { kind: 'any' }, [])).position;
    const [first, second] = log.readAll('start', 'forwards', 100n);
    const pastTheEnd = eventless + 10_000n;
    const at = (commit: bigint, prepare = commit) => ({ commit, prepare });

    it('takes the start of every record, the eventless one of an empty append included, with any prepare up to the commit', () => {
      for (const direction of ['forwards', 'backwards'] as const) {
        expect(log.checkAllPosition(at(0n), direction)).toBe('ok');
        expect(log.checkAllPosition(at(first.position), direction)).toBe('ok');
        expect(log.checkAllPosition(at(second.position, 0n), direction)).toBe('ok');
        expect(log.checkAllPosition(at(eventless), direction)).toBe('ok');
      }
    });

    it('refuses a position inside a record, and a negative one', () => {
      expect(log.checkAllPosition(at(first.position + 1n), 'forwards')).toBe('invalid-position');
      expect(log.checkAllPosition(at(first.position + 1n), 'backwards')).toBe('invalid-position');
      expect(log.checkAllPosition(at(-1n, 0n), 'forwards')).toBe('invalid-position');
    });

    it('reads forwards past the last record as the end of the log, and fails backwards past the writer', () => {
      expect(log.checkAllPosition(at(pastTheEnd), 'forwards')).toBe('ok');
      expect(log.readAll(at(pastTheEnd), 'forwards', 10n)).toEqual([]);
      expect(log.checkAllPosition(at(pastTheEnd), 'backwards')).toBe('read-error');
    });
  });
});
