import { callbackJobId, QUEUES } from '@mfh/messaging';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { ApiClient } from './support/api-client';
import { expectProblem, purchase } from './support/fixtures';
import { cursorToken, FORGED_CURSORS } from './support/forged-tokens';
import { startSystem, TestSystem } from './support/system';
import { deliver, licensesAssigned, signCallback } from './support/webhooks';

describe('Admin operations endpoints (/v1/admin)', () => {
  let system: TestSystem;
  let admin: ApiClient;

  beforeAll(async () => {
    system = await startSystem();
    admin = await system.client('admin');
  });

  afterAll(() => system.close());

  /** A callback for a subscription that does not exist: it fails at once and becomes a dead letter. */
  async function deadLetter(): Promise<string> {
    const callback = signCallback(licensesAssigned(randomUUID(), 1));
    expect((await deliver(system.baseUrl, callback)).status).toBe(202);
    const job = await system.finishedJob(QUEUES.callbacks, callbackJobId('fabrikam', callback.id, callback.body));
    expect(await job.getState()).toBe('failed');
    return job.id!;
  }

  async function board(): Promise<Record<string, Record<string, number>>> {
    const response = await admin.get('/v1/admin/queues');
    expect(response.status).toBe(200);
    return Object.fromEntries(response.body.queues.map((q: { name: string; counts: Record<string, number> }) => [q.name, q.counts]));
  }

  describe('is for the admin role only', () => {
    const calls: [string, string][] = [
      ['GET', '/v1/admin/queues'],
      ['GET', `/v1/admin/dead-letters?queue=${QUEUES.callbacks}`],
      ['POST', `/v1/admin/dead-letters/${QUEUES.callbacks}/${randomUUID()}/replay`],
    ];

    it.each(calls)('%s %s without a token is 401', async (method, path) => {
      const response = await fetch(`${system.baseUrl}${path}`, { method });
      expect(response.status).toBe(401);
    });

    it.each(['contoso', 'fabrikam', 'auditor'] as const)('a %s token is 403 everywhere', async (name) => {
      const client = await system.client(name);
      for (const [method, path] of calls) {
        const response = await client.request(method, path);
        expectProblem(response, 403);
        expect(response.body.type).toBe('/problems/role-not-allowed');
      }
    });
  });

  describe('GET /v1/admin/queues (the queues board)', () => {
    it('counts the jobs of every queue by state', async () => {
      const counts = await board();
      expect(Object.keys(counts).sort()).toEqual(Object.values(QUEUES).sort());
      for (const queue of Object.values(counts)) {
        expect(queue).toEqual({
          waiting: expect.any(Number),
          active: expect.any(Number),
          delayed: expect.any(Number),
          prioritized: expect.any(Number),
          completed: expect.any(Number),
          failed: expect.any(Number),
        });
      }
    });

    it('follows what happens to callbacks: completed and failed', async () => {
      const before = (await board())[QUEUES.callbacks];
      const { subscriptionId } = await purchase(await system.client('contoso'), { quantity: 2 });
      const callback = signCallback(licensesAssigned(subscriptionId, 2));
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      await system.finishedJob(QUEUES.callbacks, callbackJobId('fabrikam', callback.id, callback.body));
      await deadLetter();

      expect((await board())[QUEUES.callbacks]).toMatchObject({ completed: before.completed + 1, failed: before.failed + 1, waiting: 0, active: 0 });
    });
  });

  describe('GET /v1/admin/dead-letters', () => {
    it('lists failed jobs newest first with why they failed, a page at a time', async () => {
      const ids = [await deadLetter(), await deadLetter(), await deadLetter()];
      const total = (await board())[QUEUES.callbacks].failed;

      const first = await admin.get(`/v1/admin/dead-letters?queue=${QUEUES.callbacks}&size=2`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ queue: QUEUES.callbacks, totalCount: total });
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.items[0]).toEqual({
        id: ids[2],
        name: 'apply-callback',
        data: expect.objectContaining({ publisherId: 'fabrikam', callback: expect.objectContaining({ type: 'LicensesAssigned' }) }),
        failedReason: expect.stringMatching(/^unknown-subscription: /),
        attemptsMade: 1,
        createdAt: expect.any(String),
        processedAt: expect.any(String),
        failedAt: expect.any(String),
      });

      const seen: string[] = [...first.body.items.map((item: { id: string }) => item.id)];
      let next: string | undefined = first.body.links?.next?.uri;
      while (next) {
        const page = await admin.get(next);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item: { id: string }) => item.id));
        next = page.body.links?.next?.uri;
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toEqual(expect.arrayContaining(ids));
    });

    it('of a queue with none is an empty list', async () => {
      const response = await admin.get(`/v1/admin/dead-letters?queue=${QUEUES.renewals}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ queue: QUEUES.renewals, totalCount: 0, items: [] });
    });

    it.each([
      ['an unknown queue', '?queue=payments', '/queue'],
      ['no queue', '', '/queue'],
      ['a page size of 0', `?queue=${QUEUES.callbacks}&size=0`, '/size'],
      ['a page size over 500', `?queue=${QUEUES.callbacks}&size=501`, '/size'],
    ])('with %s is 400', async (_name, query, pointer) => {
      const response = await admin.get(`/v1/admin/dead-letters${query}`);
      expectProblem(response, 400);
      expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    });

    const offsetToken = (json: string) => encodeURIComponent(Buffer.from(json).toString('base64url'));
    it.each([
      ['not one of ours', 'bm90LWEtdG9rZW4'],
      ['an offset of 0', offsetToken('{"offset":0}')],
      ['an offset written 1e1', offsetToken('{"offset":1e1}')],
      ['an offset written 10.0', offsetToken('{"offset":10.0}')],
      ['spaces inside the JSON', offsetToken('{ "offset": 10 }')],
      ['a second member', offsetToken('{"offset":10,"size":1}')],
      ['an offset beyond any queue', offsetToken(`{"offset":${Number.MAX_SAFE_INTEGER}}`)],
      ['a genuine-looking token with base64 padding', encodeURIComponent(Buffer.from('{"offset":10}').toString('base64'))],
      ['a genuine-looking token with foreign characters', `!${offsetToken('{"offset":10}')}`],
    ])('with a continuation token that is %s is 400', async (_name, token) => {
      const response = await admin.get(`/v1/admin/dead-letters?queue=${QUEUES.callbacks}&continuationToken=${token}`);
      expectProblem(response, 400);
      expect(response.body.type).toBe('/problems/invalid-continuation-token');
    });

    it('with a token it wrote itself is 200', async () => {
      const token = encodeURIComponent(Buffer.from('{"offset":1}').toString('base64url'));
      expect((await admin.get(`/v1/admin/dead-letters?queue=${QUEUES.callbacks}&continuationToken=${token}`)).status).toBe(200);
    });
  });

  describe('GET /v1/admin/notifications', () => {
    it.each(FORGED_CURSORS)('with a forged continuation token (%s) is 400', async (_name, token) => {
      const response = await admin.get(`/v1/admin/notifications?continuationToken=${token}`);
      expectProblem(response, 400);
      expect(response.body.type).toBe('/problems/invalid-continuation-token');
    });

    it('with a well-formed token is 200', async () => {
      expect((await admin.get(`/v1/admin/notifications?continuationToken=${cursorToken('2026-03-01T10:00:00.000Z')}`)).status).toBe(200);
    });
  });

  describe('POST /v1/admin/dead-letters/{queue}/{jobId}/replay', () => {
    it('puts a failed job back with fresh attempts; failing again for the same reason, it is a dead letter again', async () => {
      const jobId = await deadLetter();

      const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${jobId}/replay`);

      expect({ status: replay.status, body: replay.body }).toEqual({ status: 202, body: { queue: QUEUES.callbacks, jobId, status: 'waiting' } });
      const job = await system.finishedJob(QUEUES.callbacks, jobId);
      expect({ state: await job.getState(), attemptsMade: job.attemptsMade, reason: job.failedReason }).toEqual({
        state: 'failed',
        attemptsMade: 1,
        reason: expect.stringMatching(/^unknown-subscription: /),
      });
    });

    it('of a completed job is 409 and changes nothing', async () => {
      const { subscriptionId } = await purchase(await system.client('contoso'), { quantity: 2 });
      const callback = signCallback(licensesAssigned(subscriptionId, 2));
      expect((await deliver(system.baseUrl, callback)).status).toBe(202);
      const job = await system.finishedJob(QUEUES.callbacks, callbackJobId('fabrikam', callback.id, callback.body));
      const events = await system.eventCount();

      const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${job.id}/replay`);

      expectProblem(replay, 409);
      expect(replay.body).toMatchObject({ type: '/problems/job-not-failed', state: 'completed' });
      expect(await system.queue(QUEUES.callbacks).getJob(job.id!)).toMatchObject({ finishedOn: job.finishedOn, returnvalue: 'applied' });
      expect(await system.eventCount()).toBe(events);
    });

    it('of a job still waiting for its time is 409', async () => {
      const queue = system.queue(QUEUES.renewals);
      const job = await queue.add('admin-test', {}, { jobId: randomUUID(), delay: 3_600_000 });
      try {
        const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.renewals}/${job.id}/replay`);
        expectProblem(replay, 409);
        expect(replay.body.state).toBe('delayed');
        expect(await job.getState()).toBe('delayed');
      } finally {
        await job.remove();
      }
    });

    it.each([
      ['an unknown job', () => randomUUID()],
      ['an unknown job number', () => '4294967295'],
      ['an id no job can have', () => 'a%20b'],
      ['an upper-case uuid', () => randomUUID().toUpperCase()],
    ])('of %s is 404', async (_name, jobId) => {
      const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${jobId()}/replay`);
      expectProblem(replay, 404);
      expect(replay.body.type).toBe('/problems/job-not-found');
    });

    /** The keys BullMQ keeps beside a queue's jobs (`<prefix>:<queue>:<name>`): some are not hashes, and Redis said WRONGTYPE. */
    const OWN_KEYS = ['stalled-check', 'id', 'events', 'meta', 'wait', 'active', 'delayed', 'completed', 'failed', 'paused', 'marker', 'limiter'];
    const MORE_OWN_KEYS = ['pc', 'prioritized', 'de', 'repeat', 'stalled', 'waiting-children', 'metrics', 'metrics:completed'];

    describe("naming one of the queue's own keys", () => {
      const keyOf = (name: string) => `${system.config.QUEUE_PREFIX}:${QUEUES.callbacks}:${name}`;

      beforeAll(async () => {
        await deadLetter(); // so that the callbacks queue has its id, events, meta, completed and failed keys
        const redis = new Redis(system.config.REDIS_URL);
        try {
          expect(await redis.keys(keyOf('*'))).toEqual(expect.arrayContaining(['id', 'events', 'meta', 'failed', 'stalled-check'].map(keyOf)));
        } finally {
          redis.disconnect();
        }
      });

      it('a job id whose key is no job hash (Redis answers WRONGTYPE) is 404, not 503', async () => {
        const jobId = randomUUID();
        const redis = new Redis(system.config.REDIS_URL);
        try {
          await redis.set(keyOf(jobId), 'not a job');
          const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${jobId}/replay`);
          expectProblem(replay, 404);
          expect(replay.body.type).toBe('/problems/job-not-found');
        } finally {
          await redis.del(keyOf(jobId));
          redis.disconnect();
        }
      });

      it.each([...OWN_KEYS, ...MORE_OWN_KEYS])('%s is 404, not 503', async (name) => {
        const replay = await admin.post(`/v1/admin/dead-letters/${QUEUES.callbacks}/${encodeURIComponent(name)}/replay`);
        expectProblem(replay, 404);
        expect(replay.body.type).toBe('/problems/job-not-found');
      });
    });

    it('in an unknown queue is 400', async () => {
      const replay = await admin.post(`/v1/admin/dead-letters/payments/${randomUUID()}/replay`);
      expectProblem(replay, 400);
      expect(replay.body.type).toBe('/problems/unknown-queue');
    });
  });
});
