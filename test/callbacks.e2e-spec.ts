import type { INestApplication } from '@nestjs/common';
import { callbackDeduplicationId, callbackJobId, QUEUES } from '@mfh/messaging';
import { loadConfig } from '@mfh/config';
import type { Job } from 'bullmq';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApiApp } from '../apps/api/src/api.app';
import type { ApiClient, ApiResponse } from './support/api-client';
import { eventually } from '@mfh/testing';
import { expectProblem, purchase } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';
import {
  actionRequired,
  actionResolved,
  CallbackOptions,
  deliver,
  licensesAssigned,
  sendCallback,
  signCallback,
  SignedCallback,
} from './support/webhooks';

const TAILSPIN_SECRET = `whsec_${Buffer.from('tailspin-callback-secret-0001').toString('base64')}`;

/** The development catalog plus a second publisher, Tailspin, that owns no offer. */
function catalogWithSecondPublisher(): string {
  const catalog = JSON.parse(readFileSync(resolve(__dirname, '../config/catalog.development.json'), 'utf8'));
  catalog.publishers.push({ id: 'tailspin', name: 'Tailspin Toys', callbackSigningSecret: TAILSPIN_SECRET, landingPageUrl: 'http://localhost:4100/landing' });
  const path = join(tmpdir(), `mfh-callbacks-catalog-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((done) => probe.close(done));
  return port;
}

/** A TCP proxy in front of Redis that can hang (hold every byte) or vanish (reset and refuse), and recover. */
class RedisProxy {
  private frozen = false;
  private held: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server;

  private constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
    readonly port: number,
  ) {
    this.server = this.listener();
  }

  static async start(host: string, upstreamPort: number): Promise<RedisProxy> {
    const proxy = new RedisProxy(host, upstreamPort, await closedPort());
    await proxy.restore();
    return proxy;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const release of this.held.splice(0)) release();
  }

  /** Connections reset, new ones refused. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise((done) => this.server.close(done));
  }

  async restore(): Promise<void> {
    this.server = this.listener();
    await new Promise<void>((done) => this.server.listen(this.port, '127.0.0.1', done));
  }

  async stop(): Promise<void> {
    this.thaw();
    await this.cut();
  }

  private listener(): Server {
    return createServer((client) => {
      const upstream = connect(this.upstreamPort, this.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (chunk) => (this.frozen ? this.held.push(() => upstream.write(chunk)) : upstream.write(chunk)));
      upstream.on('data', (chunk) => (this.frozen ? this.held.push(() => client.write(chunk)) : client.write(chunk)));
    });
  }
}

interface StoredEvent {
  event_type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

describe('Publisher callbacks (POST /webhooks/publishers/{publisherId})', () => {
  let system: TestSystem;
  let contoso: ApiClient;
  let admin: ApiClient;
  let catalogFile: string;

  beforeAll(async () => {
    catalogFile = catalogWithSecondPublisher();
    system = await startSystem({ env: { CATALOG_FILE: catalogFile } });
    contoso = await system.client('contoso');
    admin = await system.client('admin');
  });

  afterAll(async () => {
    await system.close();
    rmSync(catalogFile, { force: true });
  });

  /** The job a callback was queued as: its publisher (from the path), its webhook-id and its body. */
  const jobIdOf = (callback: SignedCallback) => callbackJobId(callback.path.split('/').pop()!, callback.id, callback.body);
  const finished = (callback: SignedCallback): Promise<Job> => system.finishedJob(QUEUES.callbacks, jobIdOf(callback));

  async function eventsOf(subscriptionId: string): Promise<StoredEvent[]> {
    const { rows } = await system.db.query<StoredEvent>(
      'SELECT event_type, data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_revision',
      [`subscription-${subscriptionId}`],
    );
    return rows;
  }

  const typesOf = async (subscriptionId: string) => (await eventsOf(subscriptionId)).map((e) => e.event_type);

  /** Sends a callback, expects 202, waits until the worker has run it and returns what it did. */
  async function applied(body: Parameters<typeof signCallback>[0], options: CallbackOptions = {}): Promise<Job> {
    const callback = signCallback(body, options);
    const response = await deliver(system.baseUrl, callback);
    expect({ status: response.status, body: response.body }).toEqual({ status: 202, body: { webhookId: callback.id, status: 'queued' } });
    return finished(callback);
  }

  async function partnerView(path: string): Promise<Record<string, any>> {
    await system.caughtUp();
    return (await contoso.get(path)).body;
  }

  describe('LicensesAssigned', () => {
    it('is answered 202 once queued, then recorded as PublisherActivated carrying the callback ids', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const callback = signCallback(licensesAssigned(subscriptionId, 5), { headers: { 'x-correlation-id': 'crm-sync-42' } });

      const response = await deliver(system.baseUrl, callback);

      expect(response.status).toBe(202);
      expect(response.headers.get('x-correlation-id')).toBe('crm-sync-42');
      // 202 means Redis already holds the job.
      expect(await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback))).toBeDefined();
      const job = await finished(callback);
      expect(job.returnvalue).toBe('applied');
      const events = await eventsOf(subscriptionId);
      expect(events.map((e) => e.event_type)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
      expect(events[1].data).toEqual({ assignedSeats: 5 });
      expect(events[1].metadata).toEqual({
        actor: 'fabrikam-publisher',
        role: 'publisher',
        source: 'Publisher',
        requestId: callback.id,
        causationId: callback.id,
        correlationId: 'crm-sync-42',
        occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      expect(await partnerView(path)).toMatchObject({ licensesAssigned: true, status: 'pending' });
    });

    it('takes fewer seats than bought; a malformed x-correlation-id gives way to the webhook-id', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const job = await applied(licensesAssigned(subscriptionId, 3), { headers: { 'x-correlation-id': 'not an id; has spaces' } });
      expect(job.returnvalue).toBe('applied');
      expect((await eventsOf(subscriptionId))[1]).toMatchObject({
        event_type: 'PublisherActivated',
        data: { assignedSeats: 3 },
        metadata: { correlationId: job.data.webhookId },
      });
    });
  });

  describe('ActionRequired and ActionResolved', () => {
    it('show "Action needed" with the reason and link, block exactly the listed operations, and clear', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const reason = 'Verify the customer tenant at Fabrikam before changing this subscription.';
      const url = 'https://fabrikam.example/setup?tenant=adatum';
      const required = signCallback(actionRequired(subscriptionId, ['rename', 'cancel'], reason, url));
      expect((await deliver(system.baseUrl, required)).status).toBe(202);
      expect((await finished(required)).returnvalue).toBe('applied');

      expect(await partnerView(path)).toMatchObject({
        attentionNeeded: true,
        actionNeeded: { reason, url, blockedOperations: ['cancel', 'rename'] },
      });
      const renamed = await contoso.patch(path, { body: { friendlyName: 'Renamed' } });
      expectProblem(renamed, 409);
      expect(renamed.body).toMatchObject({ type: '/problems/blocked-by-publisher-action', operation: 'rename', reason, url });
      expectProblem(await contoso.patch(path, { body: { status: 'deleted' } }), 409);
      // Not listed, so not blocked.
      expect((await contoso.patch(path, { body: { quantity: 6 } })).status).toBe(200);
      expect((await contoso.patch(path, { body: { autoRenewEnabled: false } })).status).toBe(200);

      const resolved = signCallback(actionResolved(subscriptionId));
      expect((await deliver(system.baseUrl, resolved)).status).toBe(202);
      expect((await finished(resolved)).returnvalue).toBe('applied');
      // The action is gone; the partner's attention is still needed while the subscription waits for activation (SPEC §4).
      expect(await partnerView(path)).toMatchObject({ status: 'pending', attentionNeeded: true, actionNeeded: null });
      expect((await contoso.patch(path, { body: { friendlyName: 'Renamed' } })).status).toBe(200);

      const events = await eventsOf(subscriptionId);
      const action = events.find((e) => e.event_type === 'PublisherActionRequired')!;
      // Without x-correlation-id, the callback's own id correlates what it caused.
      expect(action.metadata).toMatchObject({ correlationId: required.id, requestId: required.id, source: 'Publisher' });
      expect(events.find((e) => e.event_type === 'PublisherActionResolved')!.metadata).toMatchObject({ requestId: resolved.id });
    });
  });

  describe('reason length', () => {
    it('counts characters, not UTF-16 units: a reason of 1000 emoji is applied, 1001 are refused', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const reason = '🛠'.repeat(1000);
      expect((await applied(actionRequired(subscriptionId, ['cancel'], reason))).returnvalue).toBe('applied');
      expect((await partnerView(path)).actionNeeded).toMatchObject({ reason });

      const tooLong = await sendCallback(system.baseUrl, actionRequired(subscriptionId, ['cancel'], `${reason}🛠`));
      expectProblem(tooLong, 400);
      expect(tooLong.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/data/reason']);
    });
  });

  describe('out of order', () => {
    it('an action the publisher signed before its resolution, arriving after it, does not reopen it', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const minuteAgo = new Date(Date.now() - 60_000);
      const required = signCallback(actionRequired(subscriptionId, ['cancel']), { timestamp: minuteAgo });
      const resolved = signCallback(actionResolved(subscriptionId));
      const late = signCallback(actionRequired(subscriptionId, ['cancel'], 'A retry of the first request'), { timestamp: new Date(minuteAgo.getTime() + 1_000) });

      expect((await applied(actionRequired(subscriptionId, ['cancel']), { id: required.id, timestamp: minuteAgo })).returnvalue).toBe('applied');
      expect((await deliver(system.baseUrl, resolved)).status).toBe(202);
      expect((await finished(resolved)).returnvalue).toBe('applied');
      expect((await deliver(system.baseUrl, late)).status).toBe(202);
      expect((await finished(late)).returnvalue).toBe('no-change');

      expect(await partnerView(path)).toMatchObject({ status: 'pending', attentionNeeded: true, actionNeeded: null });
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActionRequired', 'PublisherActionResolved']);
    });
  });

  describe('redelivery', () => {
    it('of one webhook-id three times in a row and three times at once has one effect', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const callback = signCallback(licensesAssigned(subscriptionId, 5));

      for (let i = 0; i < 3; i++) expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      const concurrent = await Promise.all([1, 2, 3].map(() => deliver(system.baseUrl, callback)));
      expect(concurrent.map((r) => r.status)).toEqual([202, 202, 202]);

      const job = await finished(callback);
      expect(job.returnvalue).toBe('applied');
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);

      // After the job completed, its kept id still turns a redelivery away: nothing runs again.
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      const after = await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback));
      expect({ finishedOn: after?.finishedOn, attemptsMade: after?.attemptsMade }).toEqual({ finishedOn: job.finishedOn, attemptsMade: job.attemptsMade });
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
    });

    it('of one webhook-id with a re-signed timestamp is still the same callback', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const first = signCallback(licensesAssigned(subscriptionId, 5), { timestamp: new Date(Date.now() - 60_000) });
      const retry = signCallback(licensesAssigned(subscriptionId, 5), { id: first.id });
      expect((await deliver(system.baseUrl, first)).status).toBe(202);
      expect((await deliver(system.baseUrl, retry)).status).toBe(202);
      expect((await finished(first)).returnvalue).toBe('applied');
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
    });

    it('of one webhook-id with another body is 409 webhook-id-reused, queues nothing and has no second effect', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const first = signCallback(licensesAssigned(subscriptionId, 5), { timestamp: new Date(Date.now() - 60_000) });
      expect((await deliver(system.baseUrl, first)).status).toBe(202);
      const job = await finished(first);
      expect(job.returnvalue).toBe('applied');

      for (const other of [licensesAssigned(subscriptionId, 4), actionRequired(subscriptionId, ['cancel'])]) {
        const reused = await deliver(system.baseUrl, signCallback(other, { id: first.id }));
        expectProblem(reused, 409);
        expect(reused.body.type).toBe('/problems/webhook-id-reused');
      }
      // The same body, re-signed as a retry is: still the same callback.
      expect((await deliver(system.baseUrl, signCallback(licensesAssigned(subscriptionId, 5), { id: first.id }))).status).toBe(202);

      const after = await system.queue(QUEUES.callbacks).getJob(jobIdOf(first));
      expect({ finishedOn: after?.finishedOn, attemptsMade: after?.attemptsMade, data: after?.data.callback }).toEqual({
        finishedOn: job.finishedOn,
        attemptsMade: job.attemptsMade,
        data: licensesAssigned(subscriptionId, 5),
      });
      await system.caughtUp();
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
    });

    it('of one webhook-id sent at once with two bodies queues one of them and refuses the other', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const a = signCallback(licensesAssigned(subscriptionId, 5));
      const b = signCallback(licensesAssigned(subscriptionId, 4), { id: a.id });
      const statuses = (await Promise.all([a, b].map((callback) => deliver(system.baseUrl, callback)))).map((r) => r.status);
      expect(statuses.sort()).toEqual([202, 409]);
      expect((await finished(a)).returnvalue).toBe('applied');
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
    });

    it('holds a webhook-id to its first body for as long as a completed job is kept, not only while it runs', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const callback = signCallback(licensesAssigned(subscriptionId, 5));
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      expect((await finished(callback)).returnvalue).toBe('applied');
      const key = `${system.config.QUEUE_PREFIX}:${QUEUES.callbacks}:de:${callbackDeduplicationId('fabrikam', callback.id)}`;
      const redis = new Redis(system.config.REDIS_URL);
      try {
        expect(await redis.get(key)).toBe(jobIdOf(callback));
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(7 * 24 * 3600 - 60);
        expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
      } finally {
        redis.disconnect();
      }
      expectProblem(await deliver(system.baseUrl, signCallback(licensesAssigned(subscriptionId, 4), { id: callback.id })), 409);
    });

    it('a callback run again after others followed it appends nothing', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const licenses = signCallback(licensesAssigned(subscriptionId, 5));
      const required = signCallback(actionRequired(subscriptionId, ['cancel']));
      const resolved = signCallback(actionResolved(subscriptionId));
      for (const callback of [licenses, required, resolved]) {
        expect((await deliver(system.baseUrl, callback)).status).toBe(202);
        expect((await finished(callback)).returnvalue).toBe('applied');
      }
      const before = await typesOf(subscriptionId);

      // As if the worker had died after appending but before BullMQ recorded the job as done.
      for (const [callback, outcome] of [
        [required, 'already-applied'],
        [licenses, 'no-change'],
      ] as const) {
        const job = (await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback)))!;
        await job.retry('completed');
        expect((await finished(callback)).returnvalue).toBe(outcome);
      }

      expect(await typesOf(subscriptionId)).toEqual(before);
      expect(await partnerView(path)).toMatchObject({ actionNeeded: null, licensesAssigned: true });
    });
  });

  describe('signature', () => {
    const fiveMinutes = 5 * 60_000;
    const cases: [string, (subscriptionId: string) => CallbackOptions, string][] = [
      ['unsigned', () => ({ headers: { 'webhook-id': undefined, 'webhook-timestamp': undefined, 'webhook-signature': undefined } }), 'missing-webhook-signature'],
      ['without its signature header', () => ({ headers: { 'webhook-signature': undefined } }), 'missing-webhook-signature'],
      ['with a made-up signature', () => ({ headers: { 'webhook-signature': `v1,${Buffer.from('not a real mac').toString('base64')}` } }), 'invalid-webhook-signature'],
      ['with a signature of another scheme version', () => ({ headers: { 'webhook-signature': 'v1a,c2lnbmF0dXJl' } }), 'invalid-webhook-signature'],
      ['signed with another secret', () => ({ secret: TAILSPIN_SECRET }), 'invalid-webhook-signature'],
      ['signed more than 5 minutes ago', () => ({ timestamp: new Date(Date.now() - fiveMinutes - 30_000) }), 'webhook-timestamp-too-old'],
      ['signed more than 5 minutes ahead', () => ({ timestamp: new Date(Date.now() + fiveMinutes + 30_000) }), 'webhook-timestamp-in-future'],
      ['with a timestamp that is not Unix seconds', () => ({ headers: { 'webhook-timestamp': new Date().toISOString() } }), 'invalid-webhook-timestamp'],
      ['with a body changed after signing', (id) => ({ signedBody: JSON.stringify(licensesAssigned(id, 1)) }), 'invalid-webhook-signature'],
      ['with a body re-serialised after signing', (id) => ({ signedBody: JSON.stringify(licensesAssigned(id, 5), null, 2) }), 'invalid-webhook-signature'],
    ];

    it.each(cases)('a callback %s is 401, and nothing is queued or appended', async (_name, options, code) => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const counts = await system.queue(QUEUES.callbacks).getJobCounts();
      const events = await system.eventCount();
      const callback = signCallback(licensesAssigned(subscriptionId, 5), options(subscriptionId));

      const response = await deliver(system.baseUrl, callback);

      expectProblem(response, 401);
      expect(response.body.type).toBe(`/problems/${code}`);
      expect(await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback))).toBeUndefined();
      expect(await system.queue(QUEUES.callbacks).getJobCounts()).toEqual(counts);
      expect(await system.eventCount()).toBe(events);
    });

    it('names the missing headers', async () => {
      const response = await sendCallback(system.baseUrl, licensesAssigned('8f1d6c52-2b7a-4a3e-9d51-0c6e0b1f2a11', 1), {
        headers: { 'webhook-timestamp': undefined, 'webhook-signature': undefined },
      });
      expectProblem(response, 401);
      expect(response.body.detail).toContain('webhook-timestamp, webhook-signature');
    });

    it('is checked before the body: an unsigned malformed body is 401, not 400', async () => {
      const response = await sendCallback(system.baseUrl, { type: 'Nonsense' }, { headers: { 'webhook-signature': undefined } });
      expectProblem(response, 401);
    });

    const unsigned = { 'webhook-id': undefined, 'webhook-timestamp': undefined, 'webhook-signature': undefined };
    const forged = { 'webhook-signature': `v1,${Buffer.from('not a real mac').toString('base64')}` };
    it.each([
      ['unsigned, with malformed JSON', { rawBody: '{"type": "LicensesAssigned",', headers: unsigned }, 'missing-webhook-signature'],
      ['unsigned, with an empty body', { rawBody: '', headers: unsigned }, 'missing-webhook-signature'],
      ['unsigned, with a body of spaces', { rawBody: '   ', headers: unsigned }, 'missing-webhook-signature'],
      ['wrongly signed, with malformed JSON', { rawBody: '{not json}', headers: forged }, 'invalid-webhook-signature'],
      ['wrongly signed, with an empty body', { rawBody: '', headers: forged }, 'invalid-webhook-signature'],
      ['unsigned, sent as text/plain', { rawBody: '{}', headers: { ...unsigned, 'content-type': 'text/plain' } }, 'missing-webhook-signature'],
      ['wrongly signed, sent as application/xml', { rawBody: '<a/>', headers: { ...forged, 'content-type': 'application/xml' } }, 'invalid-webhook-signature'],
    ] as [string, CallbackOptions, string][])('is checked before the JSON is: a callback %s is 401', async (_name, options, code) => {
      const response = await deliver(system.baseUrl, signCallback({}, options));
      expectProblem(response, 401);
      expect(response.body.type).toBe(`/problems/${code}`);
    });

    it.each([
      ['malformed JSON', 'malformed-json', '{"type": "LicensesAssigned",'],
      ['an empty body', 'empty-body', ''],
    ])('validly signed, with %s, is 400 %s and queues nothing', async (_name, code, rawBody) => {
      const counts = await system.queue(QUEUES.callbacks).getJobCounts();
      const callback = signCallback({}, { rawBody });
      const response = await deliver(system.baseUrl, callback);
      expectProblem(response, 400);
      expect(response.body.type).toBe(`/problems/${code}`);
      expect(await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback))).toBeUndefined();
      expect(await system.queue(QUEUES.callbacks).getJobCounts()).toEqual(counts);
    });

    it('validly signed, sent as text/plain, is 415 and queues nothing', async () => {
      const counts = await system.queue(QUEUES.callbacks).getJobCounts();
      const callback = signCallback(licensesAssigned('8f1d6c52-2b7a-4a3e-9d51-0c6e0b1f2a11', 1), { headers: { 'content-type': 'text/plain' } });
      const response = await deliver(system.baseUrl, callback);
      expectProblem(response, 415);
      expect(response.body.type).toBe('/problems/unsupported-media-type');
      expect(await system.queue(QUEUES.callbacks).getJobCounts()).toEqual(counts);
    });

    it('other routes still refuse another media type before anything else (here, before the token check)', async () => {
      const response = await fetch(`${system.baseUrl}/v1/customers`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { type: string }).type).toBe('/problems/unsupported-media-type');
    });

    it('other routes still refuse malformed JSON before anything else (here, before the token check)', async () => {
      const response = await fetch(`${system.baseUrl}/v1/customers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"companyName":' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { type: string }).type).toBe('/problems/malformed-json');
    });

    it('accepts a timestamp a little off, and one good signature among several (key rotation)', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const body = licensesAssigned(subscriptionId, 5);
      const good = signCallback(body, { timestamp: new Date(Date.now() - 4 * 60_000) });
      const old = signCallback(body, { id: good.id, timestamp: new Date(Date.now() - 4 * 60_000), secret: TAILSPIN_SECRET });
      const response = await deliver(system.baseUrl, {
        ...good,
        headers: { ...good.headers, 'webhook-signature': `${old.headers['webhook-signature']} ${good.headers['webhook-signature']}` },
      });
      expect(response.status).toBe(202);
      expect((await finished(good)).returnvalue).toBe('applied');
    });

    it('of an unknown publisher is 404', async () => {
      const response = await sendCallback(system.baseUrl, licensesAssigned('8f1d6c52-2b7a-4a3e-9d51-0c6e0b1f2a11', 1), { publisherId: 'woodgrove' });
      expectProblem(response, 404);
      expect(response.body.type).toBe('/problems/publisher-not-found');
    });
  });

  describe('body, validated once the signature holds', () => {
    const id = '8f1d6c52-2b7a-4a3e-9d51-0c6e0b1f2a11';
    const cases: [string, unknown, string[]][] = [
      ['an array', [], ['']],
      ['an unknown type', { type: 'LicenseAssigned', subscriptionId: id, data: {} }, ['/type']],
      ['a subscriptionId that is not a UUID', { type: 'LicensesAssigned', subscriptionId: 'sub-1', data: { assignedSeats: 1 } }, ['/subscriptionId']],
      ['no data', { type: 'ActionResolved', subscriptionId: id }, ['/data']],
      ['an unknown member', { type: 'ActionResolved', subscriptionId: id, data: {}, extra: true }, ['/extra']],
      ['zero seats', { type: 'LicensesAssigned', subscriptionId: id, data: { assignedSeats: 0 } }, ['/data/assignedSeats']],
      ['fractional seats', { type: 'LicensesAssigned', subscriptionId: id, data: { assignedSeats: 2.5 } }, ['/data/assignedSeats']],
      ['seats as text', { type: 'LicensesAssigned', subscriptionId: id, data: { assignedSeats: '5' } }, ['/data/assignedSeats']],
      ['an empty reason', { type: 'ActionRequired', subscriptionId: id, data: { reason: '  ', url: 'https://f.example', blockedOperations: [] } }, ['/data/reason']],
      [
        'a reason over 1000 characters',
        { type: 'ActionRequired', subscriptionId: id, data: { reason: 'x'.repeat(1001), url: 'https://f.example', blockedOperations: [] } },
        ['/data/reason'],
      ],
      ['a reason with NUL', { type: 'ActionRequired', subscriptionId: id, data: { reason: 'a\u0000b', url: 'https://f.example', blockedOperations: [] } }, ['/data/reason']],
      ['an ftp URL', { type: 'ActionRequired', subscriptionId: id, data: { reason: 'r', url: 'ftp://f.example/x', blockedOperations: [] } }, ['/data/url']],
      ['a relative URL', { type: 'ActionRequired', subscriptionId: id, data: { reason: 'r', url: '/setup', blockedOperations: [] } }, ['/data/url']],
      [
        'an unknown blocked operation',
        { type: 'ActionRequired', subscriptionId: id, data: { reason: 'r', url: 'https://f.example', blockedOperations: ['cancel', 'delete'] } },
        ['/data/blockedOperations/1'],
      ],
      ['blocked operations not in an array', { type: 'ActionRequired', subscriptionId: id, data: { reason: 'r', url: 'https://f.example', blockedOperations: 'cancel' } }, ['/data/blockedOperations']],
      ['ActionResolved with data', { type: 'ActionResolved', subscriptionId: id, data: { reason: 'done' } }, ['/data/reason']],
      ['everything wrong at once', { type: 'X', subscriptionId: 1, data: null }, ['/type', '/subscriptionId', '/data']],
    ];

    it.each(cases)('with %s is 400 naming the fields, and nothing is queued', async (_name, body, pointers) => {
      const counts = await system.queue(QUEUES.callbacks).getJobCounts();
      const callback = signCallback(body as object);

      const response = await deliver(system.baseUrl, callback);

      expectProblem(response, 400);
      expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(pointers);
      expect(await system.queue(QUEUES.callbacks).getJob(jobIdOf(callback))).toBeUndefined();
      expect(await system.queue(QUEUES.callbacks).getJobCounts()).toEqual(counts);
    });
  });

  describe('when the queue cannot take a callback', () => {
    /** A second api on the same database and queues whose Redis is `redisUrl`. */
    async function apiWithRedis(redisUrl: string): Promise<{ app: INestApplication; baseUrl: string }> {
      const app = await createApiApp(
        loadConfig({
          DATABASE_URL: system.config.DATABASE_URL,
          DATABASE_SCHEMA: system.config.DATABASE_SCHEMA,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: system.config.QUEUE_PREFIX,
          CATALOG_FILE: catalogFile,
          LOG_LEVEL: 'silent',
          DATABASE_POOL_SIZE: '2',
        }),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { app, baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
    }

    function expectUnavailable(response: ApiResponse): void {
      expect({ status: response.status, type: response.body?.type }).toEqual({ status: 503, type: '/problems/callback-not-queued' });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    const jobOf = (callback: SignedCallback) => system.queue(QUEUES.callbacks).getJob(jobIdOf(callback));

    it('is 503 with Retry-After while Redis refuses connections, and the publisher\'s retry elsewhere applies once', async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      const callback = signCallback(licensesAssigned(subscriptionId, 5));
      const { app, baseUrl } = await apiWithRedis(`redis://127.0.0.1:${await closedPort()}`);
      try {
        expectUnavailable(await deliver(baseUrl, callback));
      } finally {
        await app.close();
      }
      expect(await jobOf(callback)).toBeUndefined();

      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      expect((await finished(callback)).returnvalue).toBe('applied');
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
    });

    it('is 503 while Redis hangs or is gone, and 202 again once it is back, with each callback applied once', async () => {
      const redis = new URL(system.config.REDIS_URL);
      const proxy = await RedisProxy.start(redis.hostname, Number(redis.port || 6379));
      const { app, baseUrl } = await apiWithRedis(`redis://127.0.0.1:${proxy.port}`);
      try {
        const subscriptions = await Promise.all([1, 2, 3].map(() => purchase(contoso, { quantity: 5 })));
        const [before, hung, gone] = subscriptions.map(({ subscriptionId }) => signCallback(licensesAssigned(subscriptionId, 5)));
        expect((await deliver(baseUrl, before)).status).toBe(202);

        proxy.freeze();
        expectUnavailable(await deliver(baseUrl, hung));
        // Redis answers again, including whatever it was sent meanwhile; the publisher retries.
        proxy.thaw();
        const retried = await eventually(() => deliver(baseUrl, hung), (r) => r.status === 202);
        expect(retried.status).toBe(202);

        await proxy.cut();
        expectUnavailable(await deliver(baseUrl, gone));
        expect(await jobOf(gone)).toBeUndefined();
        await proxy.restore();
        const resent = await eventually(() => deliver(baseUrl, gone), (r) => r.status === 202);
        expect(resent.status).toBe(202);

        for (const callback of [before, hung, gone]) expect((await finished(callback)).returnvalue).toBe('applied');
        for (const { subscriptionId } of subscriptions) {
          expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
        }
      } finally {
        await app.close();
        await proxy.stop();
      }
    });
  });

  describe('callbacks that can never apply end in the dead-letter set', () => {
    async function deadLetters(): Promise<any[]> {
      const response = await admin.get(`/v1/admin/dead-letters?queue=${QUEUES.callbacks}&size=500`);
      expect(response.status).toBe(200);
      return response.body.items;
    }

    async function deadLettered(body: Parameters<typeof signCallback>[0], reason: RegExp, options: CallbackOptions = {}) {
      const callback = signCallback(body, options);
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      const job = await finished(callback);
      expect({ state: await job.getState(), reason: job.failedReason, attempts: job.attemptsMade }).toEqual({
        state: 'failed',
        reason: expect.stringMatching(reason),
        // Nothing to retry: it failed at once.
        attempts: 1,
      });
      const listed = (await deadLetters()).find((item) => item.id === job.id);
      expect(listed).toMatchObject({ name: 'apply-callback', failedReason: job.failedReason, data: { webhookId: callback.id, callback: body } });
      return { callback, job };
    }

    it('too many seats, replayed after the partner raised the quantity, applies', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      const { callback, job } = await deadLettered(licensesAssigned(subscriptionId, 8), /^invalid-assigned-seats: /);
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased']);

      expect((await contoso.patch(path, { body: { quantity: 8 } })).status).toBe(200);
      const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${job.id}/replay`);
      expect({ status: replay.status, body: replay.body }).toEqual({ status: 202, body: { queue: QUEUES.callbacks, jobId: job.id, status: 'waiting' } });

      expect((await finished(callback)).returnvalue).toBe('applied');
      expect((await eventsOf(subscriptionId)).map((e) => [e.event_type, e.data])).toEqual([
        ['SubscriptionPurchased', expect.anything()],
        ['SeatsChanged', expect.objectContaining({ quantity: 8 })],
        ['PublisherActivated', { assignedSeats: 8 }],
      ]);
      expect((await deadLetters()).some((item) => item.id === job.id)).toBe(false);
      expect(await partnerView(path)).toMatchObject({ licensesAssigned: true, quantity: 8 });

      // The publisher, never having heard, retries: no second effect.
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      expect(await typesOf(subscriptionId)).toHaveLength(3);
    });

    it('for an unknown subscription', async () => {
      await deadLettered(licensesAssigned('0d3c5f0e-7a53-4a44-9a37-4c4b9a0e2f11', 1), /^unknown-subscription: /);
    });

    it("for another publisher's subscription", async () => {
      const { subscriptionId } = await purchase(contoso, { quantity: 5 });
      await deadLettered(licensesAssigned(subscriptionId, 5), /^not-publishers-subscription: /, { publisherId: 'tailspin', secret: TAILSPIN_SECRET });
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased']);
    });

    it('for a cancelled subscription', async () => {
      const { subscriptionId, path } = await purchase(contoso, { quantity: 5 });
      expect((await contoso.patch(path, { body: { status: 'deleted' } })).status).toBe(200);
      await deadLettered(licensesAssigned(subscriptionId, 5), /^subscription-deleted: /);
      await deadLettered(actionRequired(subscriptionId, ['cancel']), /^subscription-deleted: /);
      expect(await typesOf(subscriptionId)).toEqual(['SubscriptionPurchased', 'Cancelled']);
    });

    it('stay there: the board counts them', async () => {
      const board = await admin.get('/v1/admin/queues');
      expect(board.status).toBe(200);
      const callbacks = board.body.queues.find((q: { name: string }) => q.name === QUEUES.callbacks);
      expect(callbacks.counts.failed).toBe((await deadLetters()).length);
      expect(callbacks.counts.failed).toBeGreaterThanOrEqual(4);
    });
  });
});
