import { addDays, addMonths, ChargeLine, invoiceIdOf, invoiceStream, monthOf, rate, SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../apps/cli/src/cli';
import type { ApiClient } from './support/api-client';
import { expectProblem, purchase, Purchase } from './support/fixtures';
import { billingStarted } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

describe('Auditors re-rate invoices; partners see the next charge and the term’s cost (SPEC §9, §12)', () => {
  let system: TestSystem;
  let auditor: ApiClient;
  let contoso: ApiClient;
  let monthly: Purchase;
  let yearly: Purchase;
  let invoiceId: string;

  /**
   * Every follower has handled the whole log, the events followers append themselves (the charger's)
   * included: the head is read again until it holds still under every checkpoint.
   */
  async function settled(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await system.db.query<{ behind: boolean }>(
        `SELECT EXISTS (
           SELECT 1 FROM projection_checkpoints
           WHERE position IS DISTINCT FROM (SELECT transaction_id::text || '-' || global_position::text FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
         ) AS behind`,
      );
      if (!rows[0].behind) return;
      if (Date.now() > deadline) throw new Error('the log’s followers did not settle');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The lines rating gives a subscription's stored events: what the charger records, and what the auditor expects. */
  async function ratedLines(subscriptionId: string): Promise<ChargeLine[]> {
    const events = await system.api.get(EventStore).readStream(subscriptionStream(subscriptionId));
    return rate(events.map((event) => ({ ...(event as unknown as SubscriptionEvent), id: event.id, occurredAt: String(event.metadata.occurredAt) })));
  }

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
    stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
    const env = { DATABASE_URL: system.config.DATABASE_URL, DATABASE_SCHEMA: system.config.DATABASE_SCHEMA, LOG_LEVEL: 'silent' };
    const code = await runCli(args, { stdout, stderr, env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  /** The real entry point in its own process, for the exit code the shell sees. */
  function spawnCli(...args: string[]): Promise<{ code: number | null; stdout: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
        cwd: resolve(__dirname, '..'),
        env: { ...process.env, DATABASE_URL: system.config.DATABASE_URL, DATABASE_SCHEMA: system.config.DATABASE_SCHEMA, LOG_LEVEL: 'silent', SWCRC: 'true' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout }));
    });
  }

  const verify = (id: string, client = auditor) => client.get(`/v1/audit/invoices/${id}/verify`);

  beforeAll(async () => {
    system = await startSystem();
    [auditor, contoso] = await Promise.all([system.client('auditor'), system.client('contoso')]);
    monthly = await purchase(contoso, { quantity: 5 });
    yearly = await purchase(contoso, { quantity: 4, termDuration: 'P1Y', billingCycle: 'monthly' });
    await billingStarted(system, monthly.subscriptionId, 5);
    await billingStarted(system, yearly.subscriptionId, 4);
    // The charger records the lines; the subscriptions projection then sums them.
    await settled();
    const [line] = await ratedLines(monthly.subscriptionId);
    invoiceId = invoiceIdOf({ partnerId: 'contoso', month: monthOf(line.occurredAt), currency: 'USD', testClockId: null });
    const { rows } = await system.db.query("SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND event_type = 'ChargeRecorded'", [invoiceStream(invoiceId)]);
    expect(rows[0].n).toBe(2);
  }, 60_000);

  afterAll(() => system?.close());

  it('shows the partner when the next charge falls and what the current term has cost so far, in one subscription and in the list', async () => {
    const [one, year] = [(await contoso.get(monthly.path)).body, (await contoso.get(yearly.path)).body];
    // 5 seats × 12.00 for the month; 4 seats × 120.00 / 12 for the first month of the year.
    expect(one).toMatchObject({ status: 'active', currentTermCharged: '60.00', nextChargeDate: addDays(one.commitmentEndDate, 1) });
    expect(year).toMatchObject({ status: 'active', currentTermCharged: '40.00', nextChargeDate: addMonths(year.billingStartDate, 1) });
    const list = await contoso.get(`/v1/customers/${monthly.customerId}/subscriptions`);
    expect(list.body.items).toEqual([one]);

    const pending = await purchase(contoso);
    await settled();
    expect((await contoso.get(pending.path)).body).toMatchObject({ status: 'pending', nextChargeDate: null, currentTermCharged: '0.00' });
  });

  it('finds the open invoice as re-rated, to auditors only; an unknown one is a 404, a malformed id a 400', async () => {
    const response = await verify(invoiceId);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      invoiceId,
      status: 'open',
      valid: true,
      lines: 2,
      expectedLines: 2,
      totalCharges: '100.00',
      expectedTotalCharges: '100.00',
      subscriptions: expect.any(Number),
      differences: [],
      movedToLaterInvoices: [],
      chain: { valid: true, events: 2, brokenAtRevision: null, reason: null },
      issued: null,
    });
    expectProblem(await verify(invoiceId, contoso), 403);
    expectProblem(await verify('contoso-1999-01-USD'), 404);
    const malformed = await verify('contoso-2026-13-USD');
    expectProblem(malformed, 400);
    expect(malformed.body.type).toBe('/problems/invalid-invoice-id');

    expect(await cli('audit', 'invoices', 'verify', invoiceId)).toEqual({ code: 0, stdout: `${invoiceId} (open): valid, 2 lines, total 100.00\n`, stderr: '' });
    const all = await cli('audit', 'invoices', 'verify', '--all');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toMatch(/^Verified 1 invoice in [\d.]+ s\nEvery invoice is as re-rated\.\n$/);
    expect(await cli('audit', 'invoices', 'verify', 'contoso-1999-01-USD')).toEqual({ code: 1, stdout: '', stderr: 'No invoice contoso-1999-01-USD\n' });
    expect((await cli('audit', 'invoices', 'verify', 'not-an-invoice')).code).toBe(2);
    expect((await cli('audit', 'invoices', 'verify')).code).toBe(2);
  });

  it('reports an amount edited in the events table, and the chain it breaks; the CLI exits 1 on it', async () => {
    const { rows } = await system.db.query<{ revision: number; id: string }>(
      `UPDATE events SET data = jsonb_set(data, '{amount}', '99999')
       WHERE stream_id = $1 AND event_type = 'ChargeRecorded' AND data->>'subscriptionId' = $2
       RETURNING stream_revision::int AS revision, data->>'id' AS id`,
      [invoiceStream(invoiceId), monthly.subscriptionId],
    );
    expect(rows).toHaveLength(1);
    const [{ revision, id: lineId }] = rows;

    const { status, body } = await verify(invoiceId);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      valid: false,
      lines: 2,
      totalCharges: '1039.99',
      expectedTotalCharges: '100.00',
      chain: { valid: false, brokenAtRevision: revision, reason: 'content-altered' },
    });
    expect(body.differences).toEqual([
      {
        referenceId: expect.any(String),
        lineId,
        reason: 'altered',
        fields: ['amount'],
        expected: expect.objectContaining({ subscriptionId: monthly.subscriptionId, chargeType: 'new', quantity: 5, unitPrice: '12.00', amount: '60.00' }),
        stored: expect.objectContaining({ subscriptionId: monthly.subscriptionId, chargeType: 'new', quantity: 5, unitPrice: '12.00', amount: '999.99' }),
        storedRevision: revision,
        chargedOn: null,
      },
    ]);

    const one = await cli('audit', 'invoices', 'verify', invoiceId);
    expect(one.code).toBe(1);
    expect(one.stdout).toBe(
      `${invoiceId} (open): INVALID, 2 lines, total 1039.99 (re-rated: 2 lines, 100.00)\n` +
        `  hash chain broken at revision ${revision} (content-altered)\n` +
        `  ${lineId}  altered at revision ${revision}: amount "999.99", re-rated "60.00"\n`,
    );
    const spawned = await spawnCli('audit', 'invoices', 'verify', '--all');
    expect(spawned.code).toBe(1);
    expect(spawned.stdout).toContain(`1 not as re-rated:\n${invoiceId} (open): INVALID`);
    const all = await cli('audit', 'invoices', 'verify', '--all', '--json');
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout)).toMatchObject({ valid: false, invoices: [{ invoiceId, valid: false, differences: [{ lineId, reason: 'altered' }] }], unrecognized: [] });
  });
});
