import { EventStore, NewEvent } from '@mfh/event-store';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { ApiClient, ApiResponse } from './support/api-client';
import { eventually } from '@mfh/testing';
import { expectProblem, purchase } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';
import type { AuditFeedEventDto } from '../apps/api/src/auditors/dto/audit-responses.dto';

const NDJSON = { accept: 'application/x-ndjson' };


/** Noise in a stream of its own, so the log is longer than the feed's internal pages (500). */
const filler = (count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'AuditFeedFiller',
    data: { i, text: 'x'.repeat(200) },
    metadata: { actor: 'test', role: 'system', source: 'System', correlationId: 'feed', causationId: 'feed', requestId: 'feed', occurredAt: new Date().toISOString() },
  }));

describe('Auditor API: the global feed (SPEC §9)', () => {
  let system: TestSystem;
  let auditor: ApiClient;
  let stored: AuditFeedEventDto[];

  beforeAll(async () => {
    // No worker: nothing appends behind the test's back, so the log is exactly what the test wrote.
    system = await startSystem({ worker: false });
    auditor = await system.client('auditor');
    const [contoso, northwind] = [await system.client('contoso'), await system.client('northwind')];
    await purchase(contoso);
    await purchase(northwind);
    const store = system.api.get(EventStore);
    const fillerStream = `audit-filler-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await store.appendToStream(fillerStream, filler(400));
    await purchase(contoso);
    stored = await storedLog();
  });

  afterAll(() => system.close());

  /** The whole log as PostgreSQL holds it, in global order. */
  async function storedLog(): Promise<AuditFeedEventDto[]> {
    const { rows } = await system.db.query(
      `SELECT event_id AS id, stream_id AS "streamId", stream_revision::int AS revision,
        transaction_id::text || '-' || global_position::text AS position, event_type AS type, data, metadata,
        recorded_at AS "recordedAt", hash, previous_hash AS "previousHash"
      FROM events ORDER BY transaction_id, global_position`,
    );
    return rows.map(({ streamId, recordedAt, ...row }) => ({
      streamId,
      subscriptionId: streamId.startsWith('subscription-') ? streamId.slice('subscription-'.length) : null,
      ...row,
      recordedAt: recordedAt.toISOString(),
    }));
  }

  async function ndjson(path: string): Promise<{ status: number; contentType: string | null; lines: string[] }> {
    const response = await auditor.get(path, { headers: NDJSON });
    expect(response.text.endsWith('\n')).toBe(true);
    return { status: response.status, contentType: response.headers.get('content-type'), lines: response.text.slice(0, -1).split('\n') };
  }

  it('pages through every event exactly once, in order, following next', async () => {
    expect(stored.length).toBeGreaterThan(1200);
    const seen: AuditFeedEventDto[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const response: ApiResponse = await auditor.get(`/v1/audit/events?limit=300${after ? `&after=${after}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...response.body.events);
      after = response.body.next;
      if (after === null) break;
      expect(after).toBe(response.body.events.at(-1).position);
    }
    expect(after).toBeNull();
    expect(seen).toEqual(stored);
    const subscriptionEvents = seen.filter((event) => event.subscriptionId !== null);
    expect(subscriptionEvents.map((event) => event.type)).toEqual(['SubscriptionPurchased', 'SubscriptionPurchased', 'SubscriptionPurchased']);
    expect(new Set(seen.map((event) => event.streamId.split('-')[0]))).toEqual(new Set(['customer', 'order', 'subscription', 'audit']));
  });

  it('starts strictly after the position given', async () => {
    for (const k of [0, 1, 499, 500, stored.length - 2]) {
      const response = await auditor.get(`/v1/audit/events?after=${stored[k].position}&limit=2`);
      expect(response.body.events.map((e: AuditFeedEventDto) => e.id)).toEqual(stored.slice(k + 1, k + 3).map((e) => e.id));
    }
    const atEnd = await auditor.get(`/v1/audit/events?after=${stored.at(-1)!.position}`);
    expect(atEnd.body).toEqual({ events: [], next: null });
    // 0-0, the start as EventStoreDB writes it, starts at the beginning too.
    expect((await auditor.get('/v1/audit/events?after=0-0&limit=1')).body.events[0].id).toBe(stored[0].id);
  });

  it('reads from the start with after omitted or 0, and refuses a position that is not one of the feed’s with a 400 (SPEC §9)', async () => {
    for (const path of ['/v1/audit/events?limit=2', '/v1/audit/events?after=0&limit=2']) {
      const response = await auditor.get(path);
      expect({ path, status: response.status, ids: response.body.events.map((e: AuditFeedEventDto) => e.id) }).toEqual({
        path,
        status: 200,
        ids: stored.slice(0, 2).map((e) => e.id),
      });
    }
    expect((await ndjson('/v1/audit/events?after=0&limit=3')).lines.map((line) => JSON.parse(line).id)).toEqual(stored.slice(0, 3).map((e) => e.id));

    // The last event of one transaction, and the prepare position right after it: no event stands there.
    const k = stored.findIndex((event, i) => i + 1 < stored.length && event.position.split('-')[0] !== stored[i + 1].position.split('-')[0]);
    const [commit, prepare] = stored[k].position.split('-').map(BigInt);
    const [lastCommit] = stored.at(-1)!.position.split('-').map(BigInt);
    for (const after of [`${commit}-${prepare + 1n}`, `${lastCommit + 1000n}-0`, `${commit}-0`]) {
      for (const headers of [{}, NDJSON]) {
        const response = await auditor.get(`/v1/audit/events?after=${after}`, { headers });
        expectProblem(response, 400);
        expect({ after, headers, type: response.body.type, errors: response.body.errors }).toEqual({
          after,
          headers,
          type: '/problems/invalid-position',
          errors: [{ pointer: '/after', detail: 'not a position of this log' }],
        });
      }
    }
  });

  it('returns 100 events by default and 1000 at most', async () => {
    const byDefault = await auditor.get('/v1/audit/events');
    expect(byDefault.body.events).toHaveLength(100);
    expect(byDefault.body.next).toBe(stored[99].position);
    const most = await auditor.get('/v1/audit/events?limit=1000');
    expect(most.body.events).toEqual(stored.slice(0, 1000));
    expectProblem(await auditor.get('/v1/audit/events?limit=1001'), 400);
  });

  it('streams every event as NDJSON, one JSON object per line, with the same content as the pages', async () => {
    const all = await ndjson('/v1/audit/events');
    expect(all.status).toBe(200);
    expect(all.contentType).toMatch(/^application\/x-ndjson/);
    expect(all.lines.map((line) => JSON.parse(line))).toEqual(stored);

    const after = await ndjson(`/v1/audit/events?after=${stored[10].position}`);
    expect(after.lines.map((line) => JSON.parse(line).id)).toEqual(stored.slice(11).map((e) => e.id));
    // limit bounds the stream (across the feed's internal pages) and may exceed a JSON page's maximum.
    const limited = await ndjson(`/v1/audit/events?after=${stored[10].position}&limit=700`);
    expect(limited.lines.map((line) => JSON.parse(line))).toEqual(stored.slice(11, 711));
    expect((await ndjson('/v1/audit/events?limit=5000')).lines).toHaveLength(stored.length);
    const empty = await auditor.get(`/v1/audit/events?after=${stored.at(-1)!.position}`, { headers: NDJSON });
    expect({ status: empty.status, text: empty.text }).toEqual({ status: 200, text: '' });
  });

  it('answers JSON unless NDJSON is asked for, and says that the answer varies by Accept', async () => {
    for (const accept of ['application/json', '*/*', 'application/json, application/x-ndjson;q=0.5', 'application/x-ndjson;q=0']) {
      const response = await auditor.get('/v1/audit/events?limit=1', { headers: { accept } });
      expect({ accept, type: response.headers.get('content-type') }).toEqual({ accept, type: expect.stringMatching(/^application\/json/) });
      expect(response.headers.get('vary')).toMatch(/accept/i);
    }
    const preferred = await auditor.get('/v1/audit/events?limit=1', { headers: { accept: 'application/json;q=0.5, application/x-ndjson' } });
    expect(preferred.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  });

  it('stops reading the log when the client hangs up', async () => {
    const store = system.api.get(EventStore);
    const read = store.readAll.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const spy = jest.spyOn(store, 'readAll').mockImplementation(async (options) => {
      calls++;
      // The second page waits until the client is gone, so the stream cannot have ended before.
      if (calls === 2) await gate;
      return read(options);
    });
    try {
      const token = await tokenHeader();
      const open = () => new Promise<number>((resolve, reject) => system.api.getHttpServer().getConnections((error, count) => (error ? reject(error) : resolve(count))));
      const before = await open();
      // node:http, so that hanging up closes the connection there and then.
      await new Promise<void>((resolve, reject) => {
        const request = get(`${system.baseUrl}/v1/audit/events`, { headers: { ...NDJSON, authorization: token }, agent: false }, (response) => {
          expect(response.statusCode).toBe(200);
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        });
        request.on('error', reject);
      });
      // Once the server has seen the connection close, let the page it is reading arrive.
      expect(await eventually(open, (count) => count === before)).toBe(before);
      release();
      // Proving that something does not happen needs a pause: a stream that kept reading would
      // have asked for the remaining pages within milliseconds of the gate opening.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  async function tokenHeader(): Promise<string> {
    const response = await new ApiClient(system.baseUrl).post('/oauth2/token', {
      body: { grant_type: 'client_credentials', client_id: 'auditor', client_secret: 'auditor-secret' },
    });
    return `Bearer ${response.body.access_token}`;
  }
});
