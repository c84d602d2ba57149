import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStore } from '@mfh/event-store';
import { EsdbStandIn, ESDB_WRITE_TRANSPORTS, eventually, startEsdbStandIn } from '@mfh/testing';
import { ApiClient } from './support/api-client';
import { purchase } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';

// Once per write transport: BatchAppend, as the client talks to 24.10 (the production path), and Append, as to an older server.
describe.each(ESDB_WRITE_TRANSPORTS)('The whole system on EventStoreDB (EVENT_STORE_URL=esdb://…, gRPC stand-in, %s)', (writeTransport) => {
  let standIn: EsdbStandIn;
  let system: TestSystem;

  beforeAll(async () => {
    standIn = await startEsdbStandIn({ writeTransport });
    system = await startSystem({ env: { EVENT_STORE_URL: standIn.url } });
  });

  afterAll(async () => {
    await system.close();
    await standIn.stop();
  });

  it('keeps the events in EventStoreDB, not in PostgreSQL, written over the transport the server offers', async () => {
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso);
    const events = await system.api.get(EventStore).readStream(`subscription-${bought.subscriptionId}`);
    expect(events.map((e) => e.type)).toEqual(['SubscriptionPurchased']);
    const { rows } = await system.db.query("SELECT to_regclass('events') AS events");
    expect(rows[0].events).toBeNull();
    const [used, unused] = writeTransport === 'batch-append' ? ['BatchAppend', 'Append'] : ['Append', 'BatchAppend'];
    expect(standIn.calls).toContain(`/event_store.client.streams.Streams/${used}`);
    expect(standIn.calls).not.toContain(`/event_store.client.streams.Streams/${unused}`);
    expect(standIn.appends.some((append) => append.streamId === `subscription-${bought.subscriptionId}`)).toBe(true);
  });

  it('answers a subscription whose stream was tombstoned with a 404 stream-deleted problem, for partners and auditors', async () => {
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso);
    const client = EventStoreDBClient.connectionString(standIn.url);
    try {
      await client.tombstoneStream(`subscription-${bought.subscriptionId}`);
    } finally {
      await client.dispose();
    }
    const auditor = await system.client('auditor');
    for (const response of [
      await contoso.patch(bought.path, { body: { friendlyName: 'After the tombstone' } }),
      await auditor.get(`/v1/audit/subscriptions/${bought.subscriptionId}/events`),
    ]) {
      expect({ status: response.status, type: response.body.type }).toEqual({ status: 404, type: '/problems/stream-deleted' });
    }
  });

  it('buys, changes and lists subscriptions with projections fed from $all', async () => {
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso);
    const renamed = await contoso.patch(bought.path, { body: { friendlyName: 'On EventStoreDB' }, headers: { 'if-match': '"0"' } });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).toBe('"1"');
    expect((await contoso.patch(bought.path, { body: { friendlyName: 'x' }, headers: { 'if-match': '"0"' } })).status).toBe(412);

    const listed = await eventually(
      () => contoso.get(`/v1/customers/${bought.customerId}/subscriptions`),
      (r) => r.body.items?.[0]?.friendlyName === 'On EventStoreDB',
    );
    expect(listed.body).toMatchObject({ totalCount: 1, items: [{ id: bought.subscriptionId, friendlyName: 'On EventStoreDB' }] });
  });

  it('gives auditors the history, hash chain, state by revision and feed from EventStoreDB', async () => {
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso, { friendlyName: 'Audited', quantity: 5 });
    expect((await contoso.patch(bought.path, { body: { quantity: 7 } })).status).toBe(200);
    const auditor = await system.client('auditor');
    const base = `/v1/audit/subscriptions/${bought.subscriptionId}`;

    const history = await auditor.get(`${base}/events`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['SubscriptionPurchased', 'SeatsChanged']);
    const [first, second] = history.body.events;
    expect(first).toMatchObject({ revision: 0, previousHash: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(second.previousHash).toBe(first.hash);
    // The chain rides in EventStoreDB's metadata but is not part of the metadata auditors see.
    expect(Object.keys(second.metadata).sort()).toEqual(['actor', 'causationId', 'correlationId', 'occurredAt', 'requestId', 'role', 'source']);

    expect((await auditor.get(`${base}/verify`)).body).toMatchObject({ valid: true, events: 2, brokenAtRevision: null });
    expect((await auditor.get(`${base}/state?revision=0`)).body.subscription).toMatchObject({ friendlyName: 'Audited', quantity: 5 });
    expect((await auditor.get(`${base}/state?revision=1`)).body.subscription).toMatchObject({ quantity: 7 });

    const feed = await auditor.get(`/v1/audit/events?after=${encodeURIComponent(first.position)}&limit=1000`);
    expect(feed.body.events.filter((e: { streamId: string }) => e.streamId === `subscription-${bought.subscriptionId}`)).toMatchObject([
      { revision: 1, hash: second.hash },
    ]);

    // The feed starts at the beginning with after omitted, 0 or 0-0, and refuses any other position that is not an event's (SPEC §9).
    const [start, zero, zeroZero] = await Promise.all(['', '&after=0', '&after=0-0'].map((after) => auditor.get(`/v1/audit/events?limit=1${after}`)));
    expect([zero.body, zeroZero.body]).toEqual([start.body, start.body]);
    expect(start.body.events).toHaveLength(1);
    const [commit, prepare] = first.position.split('-').map(BigInt);
    for (const after of [`${commit}-${prepare + 1n}`, `${commit + 10n ** 12n}-${prepare + 10n ** 12n}`, '18446744073709551616-0']) {
      for (const headers of [{}, { accept: 'application/x-ndjson' }] as Record<string, string>[]) {
        const refused = await auditor.get(`/v1/audit/events?after=${after}`, { headers });
        expect({ after, headers, status: refused.status, type: refused.body.type }).toEqual({ after, headers, status: 400, type: '/problems/invalid-position' });
      }
    }
  });

  it('reports the event store in /health, and 503 once it is gone, for health and for every command and read', async () => {
    const anonymous = new ApiClient(system.baseUrl);
    expect((await anonymous.get('/health')).body.details.eventStore.status).toBe('up');
    const other = await startEsdbStandIn({ writeTransport });
    const detached = await startSystem({ worker: false, env: { EVENT_STORE_URL: other.url } });
    try {
      const contoso = await detached.client('contoso');
      const bought = await purchase(contoso);
      await other.stop();
      const health = await new ApiClient(detached.baseUrl).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.error.eventStore.status).toBe('down');
      for (const response of [
        await contoso.get(bought.path),
        await contoso.patch(bought.path, { body: { friendlyName: 'While EventStoreDB is away' } }),
        await contoso.post('/v1/customers', { body: { companyName: 'Away Corp' } }),
      ]) {
        expect({ status: response.status, type: response.body.type }).toEqual({ status: 503, type: '/problems/store-unavailable' });
        expect(response.headers.get('retry-after')).toBe('5');
      }
    } finally {
      await detached.close();
    }
  });
});
