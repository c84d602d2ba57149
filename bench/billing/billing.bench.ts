/**
 * Money at volume (issue 11): charge lines rated and appended per second while a test clock is
 * advanced a year over many subscriptions, against raw appends of the same lines in the same run;
 * then an invoice of 100,000 lines: its lineitems pages' latency, and the peak memory of the
 * processes while its reconciliation export is made and downloaded. See bench/README.md.
 */
import 'reflect-metadata';
import { loadConfig } from '@mfh/config';
import { chargeLineId, invoiceIdOf } from '@mfh/domain';
import { derivedId, EventStore, NewEvent, PostgresEventStore } from '@mfh/event-store';
import { invoiceLine } from '@mfh/testing';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { stopGracefully } from '../support/app-processes';
import { admin, countEvents, dropSchema, newSchemaName, withClient } from '../support/database';
import { accessToken } from '../support/partner-api';
import { deleteKeys } from '../support/redis';
import { writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { databaseUrl, env, redisUrl } from '../support/settings';
import { percentiles, round } from '../support/stats';
import { seedSubscriptions } from '../timers/seed';

const positive = { positive: true };
const settings = {
  databaseUrl,
  redisUrl,
  /** Half bought for P1M billed monthly (a renewal a month), half for P1Y billed monthly (a cycle charge a month). */
  subscriptions: Math.round(env('BENCH_SUBSCRIPTIONS', 5_000, positive)),
  /** Lines of the big invoice whose pages and export are measured. */
  invoiceLines: Math.round(env('BENCH_INVOICE_LINES', 100_000, positive)),
  pageSize: Math.round(env('BENCH_PAGE_SIZE', 500, positive)),
  /** Times every page of the big invoice is read. */
  pagePasses: Math.round(env('BENCH_PAGE_PASSES', 3, positive)),
  writers: Math.round(env('BENCH_WRITERS', 16, positive)),
  timeoutSeconds: env('BENCH_TIMEOUT', 1_800, positive),
  /** `worker` or `api`: that process writes a .cpuprofile to bench/results/ when it stops. */
  cpuProfile: process.env.BENCH_CPU_PROFILE ?? '',
  /** When set, only the year of charges is measured. */
  skipInvoice: process.env.BENCH_SKIP_INVOICE === '1',
  /** When set, only the big invoice is measured. */
  skipYear: process.env.BENCH_SKIP_YEAR === '1',
};
const TARGETS = { ratio: 0.3, pageP99Ms: 50, exportPeakRssMb: 150 };
/** Raw appends run in as many loops as the charger reads subscriptions at once. */
const RAW_CONCURRENCY = 16;
const START = '2027-01-01T00:00:00.000Z';
/** Just short of the year's end: every monthly renewal and cycle of 2027 fires, and January to November are issued. */
const YEAR_LATER = '2027-12-31T12:00:00.000Z';
const LINES = 'provider=onetime&invoicelineitemtype=billinglineitems';
const ROOT = resolve(__dirname, '../..');
const PROFILE = ['--cpu-prof', `--cpu-prof-dir=${resolve(ROOT, 'bench/results')}`];

async function main(): Promise<void> {
  const schema = newSchemaName();
  const run = new Processes();
  const cleanUp = async () => {
    await run.stop();
    await dropSchema(schema);
    await dropSchema(`${schema}_raw`);
    await deleteKeys([schema]);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    await admin(`CREATE SCHEMA ${schema}`);
    await measure(schema, run);
  } finally {
    await cleanUp();
  }
}

async function measure(schema: string, run: Processes): Promise<void> {
  const port = await freePort();
  const vars = {
    DATABASE_URL: settings.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: schema,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SANDBOX: 'true',
  };
  const config = loadConfig(vars);
  // The api first: it migrates the schema the worker then finds ready.
  // As `npm start` runs them, compiled: memory figures of processes that transpile as they load would say little about production.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const baseUrl = `http://127.0.0.1:${port}`;
  const startProcesses = async () => {
    const api = run.start('api', 'dist/apps/api/src/main.js', vars, settings.cpuProfile === 'api' ? PROFILE : []);
    await waitForHealth(baseUrl);
    const worker = run.start('worker', 'dist/apps/worker/src/main.js', vars, settings.cpuProfile === 'worker' ? PROFILE : []);
    return { api, worker, partner: new Http(baseUrl, await accessToken(baseUrl, 'contoso-partner', 'contoso-secret')) };
  };
  /** The export is measured on processes that did nothing else: what they held from earlier work is not the export's. */
  const restart = async () => {
    await run.stop();
    return startProcesses();
  };
  const { partner } = await startProcesses();
  const adminApi = new Http(baseUrl, await accessToken(baseUrl, 'admin', 'admin-secret'));
  const store = await PostgresEventStore.connect({ url: settings.databaseUrl, schema, max: 8, applicationName: 'mfh-bench-billing' });

  try {
    console.log(`schema ${schema}: ${settings.subscriptions} subscriptions on one test clock, advanced a year; then an invoice of ${settings.invoiceLines} lines`);
    const year = settings.skipYear ? null : await aYearOfCharges(schema, store, adminApi);
    const raw = year && (await rawAppends(schema, config.DATABASE_POOL_SIZE, year.lines));
    const ratio = year && raw ? year.linesPerSecond / raw.appendsPerSecond : null;
    const invoice = settings.skipInvoice ? null : await aBigInvoice(schema, store, partner, restart);

    const at = new Date().toISOString();
    const results = {
      benchmark: 'billing',
      at,
      node: process.version,
      cores: cpus().length,
      settings: { ...settings, rawConcurrency: RAW_CONCURRENCY },
      year: year && { ...year, lines: year.lines.length },
      raw,
      ratio: ratio === null ? null : round(ratio, 2),
      invoice,
      targets: TARGETS,
    };
    const file = writeResults('billing', at, results);
    console.log('');
    if (year && raw && ratio !== null) {
      console.log(`charges rated+appended/s  ${year.linesPerSecond}   (${year.lines.length} lines over a ${year.advanceMs} ms advance, ${year.renewalsAndCycles} timers fired)`);
      console.log(`raw appends/s             ${raw.appendsPerSecond}`);
      console.log(`ratio                     ${ratio.toFixed(2)}   target ${TARGETS.ratio.toFixed(2)}: ${ratio >= TARGETS.ratio ? 'met' : 'NOT met'}`);
    }
    if (invoice) printInvoice(invoice);
    console.log(`results: ${file}`);
  } finally {
    await store.close();
  }
}

function printInvoice(invoice: Awaited<ReturnType<typeof aBigInvoice>>): void {
  {
    console.log(`lineitems page of ${settings.pageSize}    p50 ${invoice.pageMs.p50} ms, p99 ${invoice.pageMs.p99} ms   target p99 < ${TARGETS.pageP99Ms}: ${invoice.pageMs.p99 < TARGETS.pageP99Ms ? 'met' : 'NOT met'}`);
    console.log(`  with the client's parse  p50 ${invoice.parsedPageMs.p50} ms, p99 ${invoice.parsedPageMs.p99} ms`);
    const { peakRssMb, restRssMb, downloadPeakRssMb } = invoice.export;
    console.log(
      `export peak RSS           worker ${peakRssMb.worker} MB (at rest ${restRssMb.worker} MB)   target < ${TARGETS.exportPeakRssMb}: ${peakRssMb.worker < TARGETS.exportPeakRssMb ? 'met' : 'NOT met'}`,
    );
    console.log(`download peak RSS         api ${downloadPeakRssMb.api} MB while serving the files (at rest ${restRssMb.api} MB, ${peakRssMb.api} MB while the export ran)`);
    console.log(`export                    ${invoice.export.files} files, ${invoice.export.lines} lines, ${invoice.export.megabytes} MB, completed ${invoice.export.completedMs} ms after the 202, downloaded in ${invoice.export.downloadMs} ms`);
  }
}

// --- a year of charges ---------------------------------------------------------------------------

interface YearResult {
  lines: ChargeRow[];
  renewalsAndCycles: number;
  advanceMs: number;
  linesPerSecond: number;
  invoicesIssued: number;
}

interface ChargeRow {
  stream_id: string;
  data: Record<string, unknown>;
}

async function aYearOfCharges(schema: string, store: EventStore, http: Http): Promise<YearResult> {
  const clock = (await http.json('POST', '/v1/admin/test-clocks', 201, { name: 'bench:billing', frozenTime: START })) as { id: string };
  const half = Math.floor(settings.subscriptions / 2);
  const seededAt = performance.now();
  await seedSubscriptions(store, { testClockId: clock.id, clockTime: START, subscriptions: settings.subscriptions - half, writers: settings.writers });
  await seedSubscriptions(store, {
    testClockId: clock.id,
    clockTime: START,
    subscriptions: half,
    writers: settings.writers,
    plan: { termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00', cancellationWindowMs: 14 * 86_400_000 },
  });
  // The worker bills each one and charges its `new` line.
  await until(() => countEvents(schema, { type: 'ChargeRecorded' }), (n) => n >= settings.subscriptions, 'every subscription billed and charged');
  console.log(`set-up: ${settings.subscriptions} subscriptions billed and charged their first line (${((performance.now() - seededAt) / 1000).toFixed(1)} s)`);

  const before = await lastGlobalPosition(schema);
  const firedBefore = await countTimerEvents(schema);
  const asked = performance.now();
  await http.json('POST', `/v1/admin/test-clocks/${clock.id}/advance`, 202, { frozenTime: YEAR_LATER });
  await until(
    async () => (await http.json('GET', `/v1/admin/test-clocks/${clock.id}`, 200)) as { status: string },
    (c) => c.status === 'ready',
    'the year-long advance',
    50,
  );
  const advanceMs = Math.round(performance.now() - asked);
  const lines = await withClient(async (client) => {
    const { rows } = await client.query<ChargeRow>(
      `SELECT stream_id, data FROM ${schema}.events WHERE event_type = 'ChargeRecorded' AND (transaction_id, global_position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, global_position`,
      [before.tx, before.pos],
    );
    return rows;
  });
  const expected = 11 * settings.subscriptions;
  if (lines.length !== expected) throw new Error(`the advance charged ${lines.length} lines, expected ${expected} (11 a subscription)`);
  const issued = await withClient(async (client) => Number((await client.query(`SELECT count(*) FROM ${schema}.events WHERE event_type = 'InvoiceIssued'`)).rows[0].count));
  if (issued !== 11) throw new Error(`${issued} invoices issued, expected 11 (January to November)`);
  const renewalsAndCycles = (await countTimerEvents(schema)) - firedBefore;
  return { lines, renewalsAndCycles, advanceMs, linesPerSecond: Math.round((lines.length / advanceMs) * 1000), invoicesIssued: issued };
}

const countTimerEvents = (schema: string): Promise<number> =>
  withClient(async (client) => Number((await client.query(`SELECT count(*) FROM ${schema}.events WHERE event_type IN ('SubscriptionRenewed', 'BillingCycleStarted')`)).rows[0].count));

async function lastGlobalPosition(schema: string): Promise<{ tx: string; pos: string }> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ tx: string; pos: string }>(
      `SELECT transaction_id::text AS tx, global_position::text AS pos FROM ${schema}.events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0];
  });
}

/**
 * The baseline: the very lines the advance charged, appended to a store of their own, one event per
 * append at the exact revision, in as many loops as the charger reads at once, one invoice stream per
 * loop. That is the write a charge needs, without rating, reading the subscription or the timers.
 */
async function rawAppends(schema: string, poolSize: number, lines: ChargeRow[]): Promise<{ appendsPerSecond: number; appended: number; ms: number }> {
  const rawSchema = `${schema}_raw`;
  await admin(`CREATE SCHEMA ${rawSchema}`);
  const store = await PostgresEventStore.connect({ url: settings.databaseUrl, schema: rawSchema, max: poolSize, applicationName: 'mfh-bench-billing-raw' });
  try {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: RAW_CONCURRENCY }, async (_, loop) => {
        const stream = `invoice-raw-${loop}`;
        let revision = -1;
        while (next < lines.length) {
          const line = lines[next++];
          const event: NewEvent = { id: randomUUID(), type: 'ChargeRecorded', data: line.data, metadata: { actor: 'bench' } };
          await store.appendToStream(stream, [event], { expectedRevision: revision === -1 ? 'no_stream' : revision });
          revision++;
        }
      }),
    );
    const ms = performance.now() - started;
    return { appendsPerSecond: Math.round((lines.length / ms) * 1000), appended: lines.length, ms: Math.round(ms) };
  } finally {
    await store.close();
  }
}

// --- a big invoice -------------------------------------------------------------------------------

async function aBigInvoice(schema: string, store: EventStore, http: Http, restart: () => Promise<{ api: Child; worker: Child; partner: Http }>) {
  // Last month on the wall clock: closed and issued by the worker as soon as its lines are in.
  const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const invoiceId = invoiceIdOf({ partnerId: 'contoso', month, currency: 'USD', testClockId: null });
  const written = performance.now();
  const BATCH = 500;
  for (let from = 0; from < settings.invoiceLines; from += BATCH) {
    const events: NewEvent[] = [];
    for (let i = from; i < Math.min(from + BATCH, settings.invoiceLines); i++) {
      const referenceId = derivedId('bench-billing', i);
      const line = invoiceLine({
        referenceId,
        id: chargeLineId(referenceId, 0),
        partnerId: 'contoso',
        subscriptionId: derivedId('bench-billing-subscription', i % 5_000),
        occurredAt: `${month}-15T12:00:00.000Z`,
        quantity: 1 + (i % 40),
        amount: 1200 * (1 + (i % 40)),
        invoiceId,
      });
      events.push({ id: derivedId(line.id), type: 'ChargeRecorded', data: line as unknown as Record<string, unknown>, metadata: { actor: 'bench', occurredAt: line.occurredAt } });
    }
    await store.appendToStream(`invoice-${invoiceId}`, events);
  }
  await until(() => invoiceStatus(schema, invoiceId), (s) => s === 'issued', `invoice ${invoiceId} projected and issued`, 200);
  console.log(`big invoice: ${settings.invoiceLines} lines appended, projected and issued (${((performance.now() - written) / 1000).toFixed(1)} s)`);

  // As after any bulk load: autovacuum's own analyze of 100,000 fresh rows would otherwise land in the middle of the measured pages.
  await withClient((client) => client.query(`VACUUM ANALYZE ${schema}.invoice_lines, ${schema}.invoices`));
  const pageMs: number[] = [];
  const parsedPageMs: number[] = [];
  // Pass 0 warms the caches and is not measured.
  for (let pass = 0; pass <= settings.pagePasses; pass++) {
    let next: string | null = `/v1/invoices/${invoiceId}/lineitems?${LINES}&size=${settings.pageSize}`;
    let seen = 0;
    while (next) {
      // A page's latency is its last byte's arrival: parsing 400 KB of JSON is this client's work, not the api's.
      const started = performance.now();
      const response = await http.raw('GET', next);
      const text = await response.text();
      const received = performance.now();
      if (response.status !== 200) throw new Error(`GET ${next}: ${response.status} ${text}`);
      const page = JSON.parse(text) as { items: unknown[]; links: { next?: { uri: string } } };
      if (pass > 0) {
        pageMs.push(received - started);
        parsedPageMs.push(performance.now() - started);
      }
      seen += page.items.length;
      next = page.links.next ? pathOf(page.links.next.uri) : null;
    }
    if (seen !== settings.invoiceLines) throw new Error(`paging gave ${seen} lines, expected ${settings.invoiceLines}`);
  }

  const fresh = await restart();
  const { api, worker } = fresh;
  http = fresh.partner;
  // The fresh worker catches up with the log (nothing to do) before the export is asked for.
  await sleep(5_000);
  const restRssMb = { api: api.rssMb(), worker: worker.rssMb() };
  api.resetPeak();
  worker.resetPeak();
  const asked = performance.now();
  const exportResponse = await http.raw('POST', `/v1/invoices/${invoiceId}/reconciliation`);
  if (exportResponse.status !== 202) throw new Error(`reconciliation: ${exportResponse.status} ${await exportResponse.text()}`);
  const location = pathOf(exportResponse.headers.get('location')!);
  const done = await until(
    async () => (await http.json('GET', location, 200)) as { status: string; files: { uri: string; lineCount: number; sha256: string }[] },
    (r) => r.status === 'completed',
    'the reconciliation export',
    100,
  );
  const completedMs = Math.round(performance.now() - asked);
  // The export is the worker's job; the api only queued it and answered polls. Serving the files is measured apart.
  const writtenPeakRssMb = { api: api.peakRssMb(), worker: worker.peakRssMb() };
  api.resetPeak();
  const downloadAt = performance.now();
  let bytes = 0;
  let lines = 0;
  for (const file of done.files) {
    const response = await http.raw('GET', pathOf(file.uri));
    const hash = createHash('sha256');
    let newlines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines++;
    }
    if (hash.digest('hex') !== file.sha256 || newlines !== file.lineCount) throw new Error(`file ${file.uri} does not match its manifest`);
    lines += newlines;
  }
  if (lines !== settings.invoiceLines) throw new Error(`the export holds ${lines} lines, expected ${settings.invoiceLines}`);
  return {
    invoiceId,
    lines: settings.invoiceLines,
    pageSize: settings.pageSize,
    pages: pageMs.length,
    pageMs: percentiles(pageMs),
    parsedPageMs: percentiles(parsedPageMs),
    export: {
      files: done.files.length,
      lines,
      megabytes: round(bytes / 1_048_576, 1),
      completedMs,
      downloadMs: Math.round(performance.now() - downloadAt),
      restRssMb,
      peakRssMb: writtenPeakRssMb,
      downloadPeakRssMb: { api: api.peakRssMb() },
    },
  };
}

async function invoiceStatus(schema: string, invoiceId: string): Promise<string | null> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ status: string }>(`SELECT status FROM ${schema}.invoices WHERE id = $1`, [invoiceId]).catch(() => ({ rows: [] as { status: string }[] }));
    return rows[0]?.status ?? null;
  });
}

// --- processes and HTTP --------------------------------------------------------------------------

/** An api or worker process as `npm start` runs it (compiled), whose memory the bench reads from /proc. */
class Child {
  constructor(readonly process: ChildProcess) {}

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const line = readFileSync(`/proc/${this.process.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`))!;
    return Math.round(Number(/(\d+)/.exec(line)![1]) / 1024);
  }

  rssMb = (): number => this.status('VmRSS');
  peakRssMb = (): number => this.status('VmHWM');

  /** Linux: writing 5 to clear_refs resets the peak resident set size to the current one. */
  resetPeak(): void {
    writeFileSync(`/proc/${this.process.pid}/clear_refs`, '5');
  }
}

class Processes {
  private readonly children: ChildProcess[] = [];

  start(name: string, entry: string, vars: Record<string, string>, nodeOptions: string[] = []): Child {
    const child = spawn(process.execPath, [...nodeOptions, entry], {
      cwd: ROOT,
      env: { ...process.env, ...vars },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) console.error(`${name} exited (${code ?? signal})`);
    });
    this.children.push(child);
    return new Child(child);
  }

  private stopping = false;

  /** Every process started so far, gracefully, so that a CPU profile is written; killed after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const children = this.children.splice(0);
    await Promise.all(children.map(stopGracefully));
    this.stopping = false;
  }
}

class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  raw(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async json(method: 'GET' | 'POST', path: string, expected: number, body?: unknown): Promise<unknown> {
    const response = await this.raw(method, path, body);
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }
}

const pathOf = (uri: string): string => {
  const url = new URL(uri, 'http://localhost');
  return `${url.pathname}${url.search}`;
};

async function waitForHealth(baseUrl: string): Promise<void> {
  await until(
    () => fetch(`${baseUrl}/health`).then((r) => r.status, () => 0),
    (status) => status === 200,
    'the api to start',
    200,
  );
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, everyMs = 250): Promise<T> {
  const deadline = Date.now() + settings.timeoutSeconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

runBench(main);
