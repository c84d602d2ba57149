import { createPgPool } from '@mfh/event-store';
import { createTestSchema, eventually, freePort, TestSchema } from '@mfh/testing';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { ApiClient, ApiResponse } from './support/api-client';
import { inParallel } from './support/crash';
import { createCustomer, lineItem } from './support/fixtures';
import { RunningProcess, spawnApp } from './support/processes';
import { deleteQueueKeys } from './support/system';
import { deliver, licensesAssigned, signCallback } from './support/webhooks';

/**
 * Read-your-writes across api processes, with each api keeping streams' folded states in memory
 * (StreamStates) and reading on every single-resource GET only the events appended after the
 * revision it holds (EventStore.readStreamTails).
 *
 * Two api processes (A and B) and a worker on one fresh schema. Every subscription is first read on
 * both apis (partner GET, publisher GET, and for some the resolve of their activation code), so
 * each api holds the stream's state at the revision the purchase left. Then each subscription is
 * written on one api and, right after the 2xx (no sleep, no retry), read on the other:
 *
 * - the writes raise the stream's revision past the one the reader holds, and nothing in the
 *   reader saw them (the other process appended them); so a reader that answered from its kept
 *   state without looking for the tail would return the old friendlyName / autoRenew / name and
 *   the old ETag, and every such read is counted as stale here. The test asserts there are none.
 *   (Checked by hand: with `StreamStates.current` patched, in the api processes only, to return the
 *   kept state when it has one, 890 of the 896 reads are reported stale; the other 6 are B's
 *   resolves of codes of streams that B itself wrote, whose kept state B's own commands updated.)
 * - the ETag must equal the one the writer returned (nothing else writes these streams meanwhile:
 *   no callbacks, so the worker starts no billing for them), and for writes that return no ETag
 *   (publisher activate, publisher seat change) it must equal the stream's last revision in the
 *   store, read after the GET.
 *
 * Then, for a few of them, a write by the third process: licenses assigned (callback) on top of the
 * activation make the worker start billing. As soon as BillingStarted is in the store (polled in the
 * database, not through the apis), api B, warmed while the subscription was pending, must show it
 * Subscribed on the publisher GET and on the resolve of the code it resolved while pending. Last,
 * a publisher seat change on A and, right after the 202, the operation's GET on B (an operations
 * GET reads the tail too: a kept state would have no such operation and answer 404).
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SUBSCRIPTIONS = 100;
const LINES_PER_ORDER = 50;
/** Concurrent write-then-read loops. */
const LOOPS = 16;
/** Subscriptions whose activation code B resolves while pending, and that go on to be Subscribed. */
const RESOLVED = 12;
const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';

interface Bought {
  index: number;
  customerId: string;
  subscriptionId: string;
  path: string;
}

interface Side {
  name: 'A' | 'B';
  partner: ApiClient;
  publisher: ApiClient;
}

const running = (p: RunningProcess) => p.child.exitCode === null && p.child.signalCode === null;
const saasPath = (id: string) => `${SAAS}/${id}?${API_VERSION}`;

describe('Read-your-writes across two api processes that keep stream states in memory', () => {
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  let schema: TestSchema;
  let db: Pool;
  let processes: { name: string; process: RunningProcess }[] = [];
  let baseUrls: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('ryw');
    db = createPgPool({ url: schema.url, schema: schema.schema, max: 4, applicationName: 'mfh-test-assertions' });
    const env = {
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.schema,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '4',
      // No auto-accept of the seat changes while the test looks at them.
      OPERATION_AUTO_ACCEPT_MS: '600000',
    };
    const ports = [await freePort(), await freePort()];
    baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    // All three at once: the migrations' advisory lock keeps them from racing.
    processes = [
      ...ports.map((port, i) => ({ name: `api-${'AB'[i]}`, process: spawnApp('api', { ...env, PORT: String(port) }) })),
      { name: 'worker', process: spawnApp('worker', env) },
    ];
    await Promise.all(processes.map((p) => p.process.waitForLog((line) => line.msg === 'started', 90_000)));
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) {
      if (running(p.process)) p.process.kill('SIGTERM');
      await p.process.exited;
    }
    await db?.end();
    await schema?.drop();
    await deleteQueueKeys(REDIS_URL, queuePrefix);
  });

  /** The stream's last revision in the store. */
  async function lastRevision(subscriptionId: string): Promise<number> {
    const { rows } = await db.query<{ revision: string }>('SELECT max(stream_revision)::text AS revision FROM events WHERE stream_id = $1', [
      `subscription-${subscriptionId}`,
    ]);
    return Number(rows[0].revision);
  }

  it('shows on one api, right after the 2xx, what was written on the other, although it held the stream’s older state', async () => {
    const started = Date.now();
    const phases: string[] = [];
    let phaseStart = started;
    const phase = (name: string) => {
      phases.push(`${name} ${Date.now() - phaseStart} ms`);
      phaseStart = Date.now();
    };
    const login = (url: string, id: string, secret: string) => ApiClient.login(url, id, secret);
    const [A, B]: Side[] = await Promise.all(
      baseUrls.map(async (url, i) => ({
        name: i === 0 ? ('A' as const) : ('B' as const),
        partner: await login(url, 'contoso-partner', 'contoso-secret'),
        publisher: await login(url, 'fabrikam-publisher', 'fabrikam-secret'),
      })),
    );

    // --- Buy, on A; the worker completes the orders.
    const bought: Bought[] = [];
    await inParallel(
      Array.from({ length: SUBSCRIPTIONS / LINES_PER_ORDER }, (_, i) => i),
      2,
      async (i) => {
        const customerId = await createCustomer(A.partner, `Read-your-writes ${i}`);
        const order = await A.partner.post(`/v1/customers/${customerId}/orders`, {
          body: { lineItems: Array.from({ length: LINES_PER_ORDER }, () => lineItem({ quantity: 5 })) },
        });
        if (order.status !== 201) throw new Error(`order ${i}: ${order.status} ${order.text}`);
        for (const line of order.body.lineItems as { subscriptionId: string }[]) {
          bought.push({ index: 0, customerId, subscriptionId: line.subscriptionId, path: `/v1/customers/${customerId}/subscriptions/${line.subscriptionId}` });
        }
      },
    );
    bought.forEach((b, index) => (b.index = index));
    expect(new Set(bought.map((b) => b.subscriptionId)).size).toBe(SUBSCRIPTIONS);
    const notYet = await eventually(
      async () => {
        const { rows } = await db.query<{ count: string }>("SELECT count(*) FROM events WHERE event_type = 'SubscriptionPurchased'");
        return Number(rows[0].count);
      },
      (count) => count === SUBSCRIPTIONS,
      60_000,
    );
    expect(notYet).toBe(SUBSCRIPTIONS);
    phase('buy');

    // --- Warm both apis: every subscription read on each, partner and publisher view. Both show the purchase's revision.
    const purchased = new Map<string, string>();
    const warmDiffer: string[] = [];
    await inParallel(bought, LOOPS, async (b) => {
      for (const side of [A, B]) {
        const read = await side.partner.get(b.path);
        const saas = await side.publisher.get(saasPath(b.subscriptionId));
        if (read.status !== 200 || saas.status !== 200) throw new Error(`warm ${b.subscriptionId} on ${side.name}: ${read.status} ${read.text} / ${saas.status} ${saas.text}`);
        const etag = read.headers.get('etag')!;
        if (!purchased.has(b.subscriptionId)) purchased.set(b.subscriptionId, etag);
        else if (purchased.get(b.subscriptionId) !== etag) warmDiffer.push(`${b.subscriptionId}: ${purchased.get(b.subscriptionId)} on A, ${etag} on B`);
      }
    });
    expect(warmDiffer).toEqual([]);
    // B resolves the activation codes of the first few while they are pending (the partner's activation link, fresh on every read).
    const codes = new Map<string, string>();
    const resolvedPending: string[] = [];
    await inParallel(bought.slice(0, RESOLVED), LOOPS, async (b) => {
      const read = await A.partner.get(b.path);
      const code = new URL(read.body.activationLink).searchParams.get('token')!;
      codes.set(b.subscriptionId, code);
      const resolved = await B.publisher.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': code } });
      if (resolved.status !== 200 || resolved.body.subscription.saasSubscriptionStatus !== 'PendingFulfillmentStart') {
        resolvedPending.push(`${b.subscriptionId}: ${resolved.status} ${resolved.text}`);
      }
    });
    expect(resolvedPending).toEqual([]);
    phase('warm');

    // --- Write on one api, read right after the 2xx on the other.
    const stale: string[] = [];
    let reads = 0;
    let writes = 0;
    const etagOf = (r: ApiResponse) => r.headers.get('etag');
    /** One cross-api read, checked: `expected` lists what it must show (dotted paths), `etag` what its ETag must be. */
    const check = (what: string, read: ApiResponse, etag: string | null, expected: Record<string, unknown>, withEtag = true) => {
      reads++;
      const differs = Object.entries(expected).filter(([key, value]) => JSON.stringify(key.split('.').reduce<any>((o, k) => o?.[k], read.body)) !== JSON.stringify(value));
      if (read.status !== 200 || (withEtag && etagOf(read) !== etag) || differs.length > 0) {
        stale.push(
          `${what}: ${read.status}${withEtag ? ` ETag ${etagOf(read)} (expected ${etag})` : ''}` +
            differs.map(([key, value]) => `, ${key} ${JSON.stringify(key.split('.').reduce<any>((o, k) => o?.[k], read.body))} (expected ${JSON.stringify(value)})`).join(''),
        );
      }
    };
    const ok = (what: string, response: ApiResponse, status: number) => {
      if (response.status !== status) throw new Error(`${what}: ${response.status} ${response.text}`);
      writes++;
      return response;
    };

    // Three in four written on A and read on B; the rest the other way round.
    const sides = (b: Bought): [Side, Side] => (b.index % 4 === 3 ? [B, A] : [A, B]);
    await inParallel(bought, LOOPS, async (b) => {
      const [writer, reader] = sides(b);
      const at = `${b.subscriptionId} written on ${writer.name}, read on ${reader.name}`;
      const name = (step: number) => `RYW ${b.index} step ${step}`;
      const steps: Record<string, unknown>[] = [{ friendlyName: name(0) }, { autoRenewEnabled: false }, { friendlyName: name(2) }];
      let expectedName = '';
      let expectedAutoRenew = true;
      for (const [step, change] of steps.entries()) {
        const written = ok(`PATCH ${at} step ${step}`, await writer.partner.patch(b.path, { body: change }), 200);
        const read = await reader.partner.get(b.path);
        const saas = await reader.publisher.get(saasPath(b.subscriptionId));
        expectedName = (change.friendlyName as string | undefined) ?? expectedName;
        expectedAutoRenew = (change.autoRenewEnabled as boolean | undefined) ?? expectedAutoRenew;
        check(`${at} step ${step}, partner GET`, read, etagOf(written), { friendlyName: expectedName, autoRenewEnabled: expectedAutoRenew });
        check(`${at} step ${step}, publisher GET`, saas, null, { name: expectedName, autoRenew: expectedAutoRenew }, false);
        if (etagOf(written) === purchased.get(b.subscriptionId)) stale.push(`${at} step ${step}: the PATCH did not move the ETag off ${etagOf(written)}`);
      }
      if (codes.has(b.subscriptionId)) {
        // B resolved this code before any of the writes.
        const resolved = await B.publisher.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': codes.get(b.subscriptionId)! } });
        check(`${at}, resolve on B`, resolved, null, { subscriptionName: expectedName, 'subscription.name': expectedName, 'subscription.autoRenew': expectedAutoRenew }, false);
      }
      // The publisher's activation (FulfillmentConfirmed): no ETag in the answer, so the reader's must be the store's last revision.
      ok(`activate ${at}`, await writer.publisher.post(`${SAAS}/${b.subscriptionId}/activate?${API_VERSION}`, { body: { planId: 'standard', quantity: 5 } }), 200);
      const read = await reader.partner.get(b.path);
      const saas = await reader.publisher.get(saasPath(b.subscriptionId));
      const resolved = codes.has(b.subscriptionId)
        ? await B.publisher.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': codes.get(b.subscriptionId)! } })
        : null;
      const revision = await lastRevision(b.subscriptionId);
      check(`${at}, activate, partner GET`, read, `"${revision}"`, { fulfillmentConfirmed: true, friendlyName: expectedName, status: 'pending' });
      check(`${at}, activate, publisher GET`, saas, null, { saasSubscriptionStatus: 'PendingFulfillmentStart', name: expectedName }, false);
      if (resolved) check(`${at}, activate, resolve on B`, resolved, null, { subscriptionName: expectedName, 'subscription.saasSubscriptionStatus': 'PendingFulfillmentStart' }, false);
    });
    phase('writes and reads');

    // --- The worker's writes: licenses assigned on top of the activation start billing (BillingStarted).
    const subscribed = bought.slice(0, RESOLVED);
    await inParallel(subscribed, LOOPS, async (b) => {
      const response = await deliver(baseUrls[b.index % 2], signCallback(licensesAssigned(b.subscriptionId, 5)));
      if (response.status !== 202) throw new Error(`callback ${b.subscriptionId}: ${response.status} ${response.text}`);
    });
    await inParallel(subscribed, LOOPS, async (b) => {
      const at = `${b.subscriptionId} billing started by the worker, read on B`;
      const deadline = Date.now() + 60_000;
      // Polls the store, not the apis: B is not read until the event is in.
      for (;;) {
        const { rows } = await db.query<{ revision: string }>(
          "SELECT stream_revision::text AS revision FROM events WHERE stream_id = $1 AND event_type = 'BillingStarted'",
          [`subscription-${b.subscriptionId}`],
        );
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error(`${b.subscriptionId}: no BillingStarted within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const saas = await B.publisher.get(saasPath(b.subscriptionId));
      const resolved = await B.publisher.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': codes.get(b.subscriptionId)! } });
      const read = await B.partner.get(b.path);
      check(`${at}, publisher GET`, saas, null, { saasSubscriptionStatus: 'Subscribed' }, false);
      check(`${at}, resolve`, resolved, null, { 'subscription.saasSubscriptionStatus': 'Subscribed' }, false);
      check(`${at}, partner GET`, read, null, { status: 'active', licensesAssigned: true }, false);
    });
    phase('billing started');

    // --- A seat change by the publisher on A; the operation's GET on B right after the 202.
    await inParallel(subscribed, LOOPS, async (b) => {
      const at = `${b.subscriptionId} seat change on A, read on B`;
      const changed = ok(`seats ${b.subscriptionId}`, await A.publisher.patch(saasPath(b.subscriptionId), { body: { quantity: 6 } }), 202);
      const location = new URL(changed.headers.get('operation-location')!);
      const operationId = location.pathname.split('/').at(-1)!;
      const operation = await B.publisher.get(`${location.pathname}${location.search}`);
      const operations = await B.publisher.get(`${SAAS}/${b.subscriptionId}/operations?${API_VERSION}`);
      const read = await B.partner.get(b.path);
      const revision = await lastRevision(b.subscriptionId);
      check(`${at}, operation GET`, operation, null, { id: operationId, action: 'ChangeQuantity', quantity: 6, status: 'InProgress' }, false);
      check(`${at}, operations GET`, operations, null, { 'operations.0.id': operationId }, false);
      check(`${at}, partner GET`, read, `"${revision}"`, { 'pendingOperations.0.id': operationId });
    });
    phase('operations');

    process.stdout.write(
      `read-your-writes: ${SUBSCRIPTIONS} subscriptions, ${writes} writes, ${reads} cross-process reads checked, ${stale.length} stale; ${phases.join(', ')}; total ${Date.now() - started} ms\n`,
    );
    expect({ stale: stale.length, reads, examples: stale.slice(0, 20) }).toEqual({ stale: 0, reads, examples: [] });
    expect(processes.map((p) => running(p.process))).toEqual([true, true, true]);
  }, 180_000);
});
