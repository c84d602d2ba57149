import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { purchase } from '../../../test/support/fixtures';
import { startSystem, TestSystem } from '../../../test/support/system';
import { runCli } from '../src/cli';

const ROOT = resolve(__dirname, '../../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the command line', () => {
  let system: TestSystem;
  let env: Record<string, string>;
  let subscriptionId: string;
  let other: string;

  /** The real entry point in its own process, as an operator runs it. */
  function spawnCli(...args: string[]): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env, SWCRC: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  /** The same program in this process, for the checks that need no process of their own. */
  function cli(...args: string[]): Promise<Run> {
    return runCliWith(env, ...args);
  }

  async function runCliWith(settings: Record<string, string>, ...args: string[]): Promise<Run> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
    stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
    const code = await runCli(args, { stdout, stderr, env: settings });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  const tableId = async (table: string) => (await system.db.query<{ oid: string }>('SELECT to_regclass($1)::oid::text AS oid', [table])).rows[0].oid;

  beforeAll(async () => {
    system = await startSystem();
    env = { DATABASE_URL: system.config.DATABASE_URL, DATABASE_SCHEMA: system.config.DATABASE_SCHEMA, LOG_LEVEL: 'silent' };
    const contoso = await system.client('contoso');
    const bought = await purchase(contoso, { friendlyName: 'Sales CRM', quantity: 5 });
    subscriptionId = bought.subscriptionId;
    other = (await purchase(contoso, { friendlyName: 'Support desk' })).subscriptionId;
    await system.caughtUp();
    for (const body of [{ friendlyName: 'Sales CRM (EMEA)' }, { quantity: 8 }, { autoRenewEnabled: false }]) {
      const response = await contoso.patch(bought.path, { body });
      expect(response.status).toBe(200);
    }
    await system.caughtUp();
  }, 60_000);

  afterAll(async () => {
    await system?.close();
  });

  describe('audit history', () => {
    it('prints a readable timeline', async () => {
      const run = await spawnCli('audit', 'history', subscriptionId);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`Subscription ${subscriptionId}: 4 events, revision 3`);
      expect(lines[2]).toMatch(/^0 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}SubscriptionPurchased {2}contoso-partner \(partner, Partner\)$/);
      expect(lines[3]).toMatch(/^ {3}purchased 'Sales CRM': fabrikam-crm\/standard, 5 seats, P1M billed monthly at USD 12\.00 per seat; partner contoso/);
      expect(lines.slice(4)).toEqual([
        expect.stringMatching(/^1 {2}\S+ {2}SubscriptionRenamed {4}contoso-partner \(partner, Partner\)$/),
        "   renamed from 'Sales CRM' to 'Sales CRM (EMEA)'",
        expect.stringMatching(/^2 {2}\S+ {2}SeatsChanged {11}contoso-partner/),
        '   seats 5 → 8',
        expect.stringMatching(/^3 {2}\S+ {2}AutoRenewDisabled {6}contoso-partner/),
        '   auto-renew turned off',
      ]);
    });

    it('prints the raw events as NDJSON with --json', async () => {
      const run = await cli('audit', 'history', subscriptionId, '--json');
      expect(run.code).toBe(0);
      const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(events.map((e) => [e.revision, e.type])).toEqual([
        [0, 'SubscriptionPurchased'],
        [1, 'SubscriptionRenamed'],
        [2, 'SeatsChanged'],
        [3, 'AutoRenewDisabled'],
      ]);
      expect(events[1]).toMatchObject({ streamId: `subscription-${subscriptionId}`, data: { friendlyName: 'Sales CRM (EMEA)' }, metadata: { actor: 'contoso-partner' } });
      expect(events[1].previousHash).toBe(events[0].hash);
    });

    it('says so on stderr and exits 1 for an unknown subscription, 2 for a malformed id', async () => {
      expect(await cli('audit', 'history', '7c9e6679-7425-40de-944b-e07fc1f90ae7')).toEqual({
        code: 1,
        stdout: '',
        stderr: 'No subscription 7c9e6679-7425-40de-944b-e07fc1f90ae7\n',
      });
      const malformed = await spawnCli('audit', 'history', 'not-an-id');
      expect(malformed).toMatchObject({ code: 2, stdout: '' });
      expect(malformed.stderr).toContain('Not a subscription id');
      expect((await cli('audit', 'frobnicate')).code).toBe(2);
    });

    it('changes nothing when pointed at a schema without an event store: exit 3, and no schema is created', async () => {
      const schema = `${system.config.DATABASE_SCHEMA}_typo`;
      const run = await runCliWith({ ...env, DATABASE_SCHEMA: schema }, 'audit', 'verify', '--all');
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`Schema ${schema} holds no up-to-date event store`);
      const { rows } = await system.db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(rows).toEqual([]);
    });
  });

  describe('audit export', () => {
    const file = join(tmpdir(), `mfh-export-${process.pid}-${Date.now()}.ndjson`);
    afterAll(() => rm(file, { force: true }));

    it('writes every event once, in order, one JSON object per line', async () => {
      const run = await spawnCli('audit', 'export', '--out', file, '--page-size', '3');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      const total = await system.eventCount();
      expect(run.stderr).toMatch(new RegExp(`^Exported ${total} events to ${file.replace(/[.]/g, '\\.')} in `));
      const events = (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(events).toHaveLength(total);
      const positions = events.map((e) => e.position.split('-').map(BigInt));
      for (let i = 1; i < positions.length; i++) {
        const [a, b] = [positions[i - 1], positions[i]];
        expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])).toBe(true);
      }
      expect(new Set(events.map((e) => `${e.streamId}/${e.revision}`)).size).toBe(total);
      expect(Object.keys(events[0])).toEqual(['streamId', 'revision', 'position', 'id', 'type', 'data', 'metadata', 'recordedAt', 'hash', 'previousHash']);

      const after = events[4].position;
      const rest = await cli('audit', 'export', '--out', '-', '--after', after);
      expect(rest.code).toBe(0);
      expect(rest.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(events.slice(5));
      expect((await cli('audit', 'export', '--out', '-', '--after', 'yesterday')).code).toBe(2);
    });
  });

  describe('projections rebuild', () => {
    it('rebuilds identical rows, swaps them in, and the worker keeps projecting into them', async () => {
      const before = await tableId('subscriptions');
      const run = await spawnCli('projections', 'rebuild');
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^subscriptions +2 +2 +0 +identical$/m);
      expect(run.stdout).toMatch(/^customers +2 +2 +0 +identical$/m);
      expect(run.stdout).toMatch(/^orders +2 +2 +0 +identical$/m);
      expect(run.stdout).toContain('Swapped: the rebuilt tables are live; the replaced ones are dropped.');
      expect(await tableId('subscriptions')).not.toBe(before);

      const contoso = await system.client('contoso');
      const subscriptions = await contoso.get(`/v1/customers/${(await purchase(contoso)).customerId}/subscriptions`);
      expect(subscriptions.status).toBe(200);
      await system.caughtUp();
      const { rows } = await system.db.query('SELECT count(*)::int AS n FROM subscriptions');
      expect(rows[0].n).toBe(3);
    });

    it('reports a corrupted live row and does not swap; twice the same; --force repairs it', async () => {
      await system.caughtUp();
      await system.db.query("UPDATE subscriptions SET friendly_name = 'tampered' WHERE id = $1", [other]);
      const before = await tableId('subscriptions');

      const run = await spawnCli('projections', 'rebuild');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^subscriptions +3 +3 +1 +DIFFERENT$/m);
      expect(run.stdout).toContain(`subscriptions: 1 differing row:\n  ${other}:\n    friendly_name: live "tampered", rebuilt "Support desk"`);
      expect(run.stdout).toContain('Not swapped');
      expect(await tableId('subscriptions')).toBe(before);

      const dry = [await cli('projections', 'rebuild', '--dry-run', '--json'), await cli('projections', 'rebuild', '--dry-run', '--json')];
      expect(dry.map((r) => r.code)).toEqual([1, 1]);
      const [first, second] = dry.map((r) => JSON.parse(r.stdout));
      expect(second.tables).toEqual(first.tables);
      expect(first).toMatchObject({ identical: false, swapped: false });

      const forced = await cli('projections', 'rebuild', '--force');
      expect(forced.code).toBe(1);
      expect(forced.stdout).toContain('Swapped: the rebuilt tables are live (forced, although rows differed)');
      const { rows } = await system.db.query('SELECT friendly_name AS name FROM subscriptions WHERE id = $1', [other]);
      expect(rows).toEqual([{ name: 'Support desk' }]);
      expect((await cli('projections', 'rebuild', '--dry-run')).code).toBe(0);
    });
  });

  describe('audit verify', () => {
    it('finds intact chains, then reports an event altered in the database and exits 1', async () => {
      expect(await cli('audit', 'verify', subscriptionId)).toEqual({ code: 0, stdout: `subscription-${subscriptionId}: valid, 4 events\n`, stderr: '' });
      const all = await spawnCli('audit', 'verify', '--all', '--page-size', '4');
      const total = await system.eventCount();
      expect(all).toMatchObject({ code: 0, stderr: '' });
      expect(all.stdout).toMatch(new RegExp(`^Verified ${total} events in \\d+ streams in [\\d.]+ s \\([\\d,]+ events/s\\)\\nEvery chain is intact\\.\\n$`));

      await system.db.query(
        `UPDATE events SET data = jsonb_set(data, '{friendlyName}', '"Forged"') WHERE stream_id = $1 AND stream_revision = 1`,
        [`subscription-${subscriptionId}`],
      );
      expect(await cli('audit', 'verify', subscriptionId)).toMatchObject({
        code: 1,
        stdout: `subscription-${subscriptionId}: BROKEN at revision 1 (content-altered), 4 events\n`,
      });
      const broken = await spawnCli('audit', 'verify', '--all');
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`1 broken stream:\n  subscription-${subscriptionId}  revision 1  content-altered\n`);
      const json = JSON.parse((await cli('audit', 'verify', '--all', '--json')).stdout);
      expect(json).toMatchObject({ valid: false, events: total, broken: [{ streamId: `subscription-${subscriptionId}`, revision: 1, reason: 'content-altered' }] });
      expect((await cli('audit', 'verify')).code).toBe(2);
      expect((await cli('audit', 'verify', subscriptionId, '--all')).code).toBe(2);
    });

    it('reports a stream whose events were deleted, against the revision the read model applied', async () => {
      await system.caughtUp();
      await system.db.query('DELETE FROM events WHERE stream_id = $1', [`subscription-${other}`]);
      expect(await cli('audit', 'verify', other)).toMatchObject({ code: 1, stdout: `subscription-${other}: BROKEN at revision 0 (truncated), 0 events\n` });
      const all = await spawnCli('audit', 'verify', '--all');
      expect(all.code).toBe(1);
      expect(all.stdout).toContain(`  subscription-${other}  revision 0  truncated\n`);
    });
  });
});
