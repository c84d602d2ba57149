/**
 * Reads served per second by the api against a bare Fastify route answering the same JSON from
 * memory, in one run, call by call: the partner's and the publisher's GET of one subscription, the
 * publisher's resolve, and a customer's list of 100. See bench/README.md.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@mfh/config';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { assignLicenses } from '../support/callbacks';
import { admin, dropSchema, newSchemaName, withClient } from '../support/database';
import { LoadProcess } from '../support/load-process';
import { accessToken, login } from '../support/partner-api';
import { deleteKeys } from '../support/redis';
import { resultsDir, stamp, writeResults } from '../support/results';
import { runBench, sleep } from '../support/run';
import { env, httpLoadSettings } from '../support/settings';
import { addCpu, cpuMs, percentiles, round } from '../support/stats';
import type { QueryCount } from '../support/query-census';
import type { LoadRequest, LoadResult, ReadCall } from './read-load';
import type { BareBodies, ServerRequest } from './server';

const settings = {
  ...httpLoadSettings(),
  customers: env('BENCH_CUSTOMERS', 10, { positive: true }),
  /** Renames of each subscription before measuring, so that its stream is more than its purchase. */
  renames: env('BENCH_RENAMES', 3),
  /** The api's LOG_LEVEL; unset, the api's default (info: a line per request). */
  logLevel: process.env.BENCH_LOG_LEVEL || undefined,
  cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
  /** Which calls to measure, comma-separated; all four when unset. */
  calls: process.env.BENCH_CALLS || undefined,
  /** `1` counts the api's PostgreSQL queries per request in each measured slice (query-census.ts). */
  queryCensus: process.env.BENCH_QUERY_CENSUS === '1',
};
/** A customer's subscriptions: one list page of the default size. */
const LIST_SIZE = 100;
const ORDER_LINES = 50;
const API_VERSION = 'api-version=2018-08-31';
const TARGETS = { partnerGet: 0.35, publisherGet: 0.35, resolve: 0.2, list: 0.25 } as const;
type CallName = keyof typeof TARGETS;
type SideName = 'api' | 'bare';

/** A server in a child process, answering the bench over IPC; it sends its port first, under id 0. */
class ServerProcess {
  private readonly child: LoadProcess<ServerRequest, unknown>;
  readonly port: Promise<number>;

  constructor(mode: 'api' | 'bare', environment: NodeJS.ProcessEnv, stdout: number | 'ignore') {
    this.child = new LoadProcess(join(__dirname, 'server.ts'), { args: [mode], env: environment, stdio: ['ignore', stdout, 'inherit', 'ipc'], name: `the ${mode} server` });
    this.port = this.child.answer(0).then((ready) => (ready as { port: number }).port);
  }

  ask<T>(request: ServerRequest): Promise<T> {
    return this.child.run(request) as Promise<T>;
  }

  close(): void {
    this.child.close('SIGKILL');
  }
}

class Totals {
  ok = 0;
  seconds = 0;
  bytes = 0;
  cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  loadCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  latenciesMs: number[] = [];
  perRound: number[] = [];
  /** With BENCH_QUERY_CENSUS: statements per request, summed over the rounds. */
  queries: Record<string, number> = {};

  add(load: LoadResult, cpu: NodeJS.CpuUsage): void {
    this.ok += load.ok;
    this.seconds += load.durationSeconds;
    this.bytes += load.bytes;
    addCpu(this.cpu, cpu);
    addCpu(this.loadCpu, load.cpu);
    for (const latency of load.latenciesMs) this.latenciesMs.push(latency);
    this.perRound.push(Math.round(load.ok / load.durationSeconds));
  }

  summary() {
    return {
      perSecond: Math.round(this.ok / this.seconds),
      latencyMs: percentiles(this.latenciesMs),
      requests: this.ok,
      perRound: this.perRound,
      bytesPerResponse: Math.round(this.bytes / this.ok),
      cpuMsPerRequest: round(cpuMs(this.cpu) / this.ok, 3),
      cpuCores: round(cpuMs(this.cpu) / 1000 / this.seconds, 2),
      loadGeneratorCpuCores: round(cpuMs(this.loadCpu) / 1000 / this.seconds, 2),
    };
  }
}

async function main(): Promise<void> {
  const schema = newSchemaName();
  const prefix = schema;
  const opened: { servers: ServerProcess[]; load: LoadProcess<LoadRequest, LoadResult> | null; worker: INestApplicationContext | null } = {
    servers: [],
    load: null,
    worker: null,
  };
  const cleanUp = async () => {
    opened.load?.close();
    for (const server of opened.servers) server.close();
    await opened.worker?.close().catch((error: unknown) => console.error('closing the worker:', error));
    await dropSchema(schema).catch((error: unknown) => console.error('dropping the schema:', error));
    await deleteKeys([prefix]).catch((error: unknown) => console.error('deleting the Redis keys:', error));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    await admin(`CREATE SCHEMA ${schema}`);
    await measure(schema, prefix, opened);
  } finally {
    await cleanUp();
  }
}

async function measure(
  schema: string,
  prefix: string,
  opened: { servers: ServerProcess[]; load: LoadProcess<LoadRequest, LoadResult> | null; worker: INestApplicationContext | null },
): Promise<void> {
  const at = new Date().toISOString();
  const environment = {
    DATABASE_URL: settings.databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: prefix,
    PORT: '0',
  };
  const apiLog = join(resultsDir, `reads-${stamp(at)}-api.log`);
  mkdirSync(resultsDir, { recursive: true });
  const apiLogFd = openSync(apiLog, 'a');
  const api = new ServerProcess('api', { ...process.env, ...environment, ...(settings.logLevel ? { LOG_LEVEL: settings.logLevel } : {}) }, apiLogFd);
  const bare = new ServerProcess('bare', { ...process.env }, 'ignore');
  opened.servers.push(api, bare);
  const apiUrl = `http://127.0.0.1:${await api.port}`;
  const bareUrl = `http://127.0.0.1:${await bare.port}`;
  closeSync(apiLogFd);
  // The lists are a projection: the worker makes it during set-up and is closed before anything is measured.
  opened.worker = await createWorkerApp(loadConfig({ ...environment, LOG_LEVEL: 'silent' }));

  const partnerToken = await login(apiUrl);
  const publisherToken = await accessToken(apiUrl, 'fabrikam-publisher', 'fabrikam-secret');
  console.log(`schema ${schema}: ${settings.customers} customers of ${LIST_SIZE} subscriptions, ${settings.renames} renames each; api log ${apiLog}`);
  const customers = await setUp(apiUrl, partnerToken, publisherToken);
  await waitForLists(apiUrl, partnerToken, customers);
  await opened.worker.close();
  opened.worker = null;

  const bodies = await collectBodies(apiUrl, partnerToken, publisherToken, customers);
  await bare.ask({ kind: 'bodies', bodies: bodies.bare });
  opened.load = new LoadProcess(join(__dirname, 'read-load.ts'));
  const load = opened.load;

  const servers: Record<SideName, { url: string; server: ServerProcess }> = { api: { url: apiUrl, server: api }, bare: { url: bareUrl, server: bare } };
  const slice = async (call: CallName, side: SideName, seconds: number, totals: Totals | null, profileLabel: string | null) => {
    const { url, server } = servers[side];
    const token = call === 'partnerGet' || call === 'list' ? partnerToken : publisherToken;
    if (profileLabel) await server.ask({ kind: 'profile-start' });
    const census = settings.queryCensus && side === 'api' && totals !== null;
    if (census) await server.ask({ kind: 'census-open' });
    const cpuBefore = await server.ask<NodeJS.CpuUsage>({ kind: 'cpu' });
    const result = await load.run({ baseUrl: url, token, calls: bodies.calls[call], connections: settings.connections, durationSeconds: seconds });
    const cpuAfter = await server.ask<NodeJS.CpuUsage>({ kind: 'cpu' });
    const profile = profileLabel ? await server.ask<string>({ kind: 'profile-stop', label: profileLabel }) : null;
    if (census) {
      const queries = await server.ask<QueryCount[]>({ kind: 'census-close' });
      for (const { statement, count } of queries) totals.queries[statement] = round((totals.queries[statement] ?? 0) + count / result.requests, 3);
      console.log(`  ${call} queries per request: ${queries.map((q) => `${q.statement.slice(0, 60)} ${round(q.count / result.requests, 2)} (${q.meanMs} ms)`).join('; ')}`);
    }
    if (result.ok === 0 || result.ok !== result.requests || result.errors + result.timeouts > 0) {
      throw new Error(
        `${call} (${side}): ${result.ok} of ${result.requests} answered 200 ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ` +
          `${result.timeouts} timeouts; first failure: ${result.firstFailure ?? 'none'}`,
      );
    }
    totals?.add(result, { user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system });
    return profile;
  };

  const seconds = settings.durationSeconds / settings.rounds;
  const results: Record<string, unknown> = {};
  const profiles: string[] = [];
  const chosen = settings.calls ? (settings.calls.split(',') as CallName[]) : (Object.keys(TARGETS) as CallName[]);
  const unknown = chosen.filter((name) => !(name in TARGETS));
  if (unknown.length > 0) throw new Error(`BENCH_CALLS: unknown ${unknown.join(', ')}; the calls are ${Object.keys(TARGETS).join(', ')}`);
  for (const call of chosen) {
    if (settings.warmupSeconds > 0) {
      await slice(call, 'bare', settings.warmupSeconds, null, null);
      await slice(call, 'api', settings.warmupSeconds, null, null);
    }
    const totals: Record<SideName, Totals> = { api: new Totals(), bare: new Totals() };
    for (let r = 0; r < settings.rounds; r++) {
      const order: SideName[] = r % 2 === 0 ? ['bare', 'api'] : ['api', 'bare'];
      for (const side of order) {
        // One profile of each side per call, of its middle round.
        const label = settings.cpuProfile && r === Math.floor(settings.rounds / 2) ? `${call}-${side}` : null;
        const profile = await slice(call, side, seconds, totals[side], label);
        if (profile) profiles.push(profile);
      }
    }
    const apiSummary = totals.api.summary();
    const bareSummary = totals.bare.summary();
    const ratio = round(apiSummary.perSecond / bareSummary.perSecond, 2);
    results[call] = { api: apiSummary, bare: bareSummary, ratio, target: TARGETS[call] };
    console.log(
      `${call.padEnd(13)} api ${String(apiSummary.perSecond).padStart(6)}/s p50 ${apiSummary.latencyMs.p50} p99 ${apiSummary.latencyMs.p99} ms` +
        ` | bare ${String(bareSummary.perSecond).padStart(6)}/s p50 ${bareSummary.latencyMs.p50} p99 ${bareSummary.latencyMs.p99} ms` +
        ` | ratio ${ratio.toFixed(2)} (target ${TARGETS[call]}: ${ratio >= TARGETS[call] ? 'met' : 'NOT met'})`,
    );
  }
  const file = writeResults('reads', at, {
    benchmark: 'reads',
    at,
    node: process.version,
    settings,
    meanSubscriptionStreamLength: await meanStreamLength(schema),
    ...results,
    cpuProfiles: profiles,
  });
  for (const profile of profiles) console.log(`CPU profile   ${profile}`);
  console.log(`results       ${file}`);
}

interface Customer {
  id: string;
  subscriptionIds: string[];
}

/**
 * Customers of 100 subscriptions each (two orders of 50), each renamed; every other one activated by
 * the publisher, with its licenses assigned, so billing (with its first charge) as most
 * subscriptions are, and the rest pending.
 */
async function setUp(apiUrl: string, partnerToken: string, publisherToken: string): Promise<Customer[]> {
  const customers: Customer[] = [];
  for (let c = 0; c < settings.customers; c++) {
    const customer = (await call(apiUrl, 'POST', '/v1/customers', partnerToken, { companyName: `Adatum ${c}`, domain: `adatum${c}.com` })) as { id: string };
    const subscriptionIds: string[] = [];
    for (let o = 0; o < LIST_SIZE / ORDER_LINES; o++) {
      const order = (await call(apiUrl, 'POST', `/v1/customers/${customer.id}/orders`, partnerToken, {
        lineItems: Array.from({ length: ORDER_LINES }, (_, i) => ({
          offerId: 'fabrikam-crm',
          planId: 'standard',
          quantity: 5,
          termDuration: 'P1M',
          billingCycle: 'monthly',
          friendlyName: `seat block ${o * ORDER_LINES + i + 1}`,
        })),
      })) as { lineItems: { subscriptionId: string }[] };
      subscriptionIds.push(...order.lineItems.map((line) => line.subscriptionId));
    }
    customers.push({ id: customer.id, subscriptionIds });
  }
  const all = customers.flatMap((customer) => customer.subscriptionIds.map((id) => ({ customerId: customer.id, id })));
  await inParallel(all, async ({ customerId, id }, index) => {
    // Orders complete in the worker; a subscription exists once its order has bought it.
    await until(async () => (await fetch(`${apiUrl}/v1/customers/${customerId}/subscriptions/${id}`, { headers: { authorization: `Bearer ${partnerToken}` } })).ok);
    for (let r = 1; r <= settings.renames; r++) {
      await call(apiUrl, 'PATCH', `/v1/customers/${customerId}/subscriptions/${id}`, partnerToken, { friendlyName: `renamed ${r} of ${index}` });
    }
    if (index % 2 === 1) {
      await call(apiUrl, 'POST', `/api/saas/subscriptions/${id}/activate?${API_VERSION}`, publisherToken, { planId: 'standard', quantity: 5 });
      await assignLicenses(apiUrl, id, 5);
    }
  });
  return customers;
}

async function waitForLists(apiUrl: string, token: string, customers: Customer[]): Promise<void> {
  for (const customer of customers) {
    await until(async () => {
      const page = (await call(apiUrl, 'GET', `/v1/customers/${customer.id}/subscriptions`, token)) as {
        items: { friendlyName: string; status: string; currentTermCharged: string }[];
      };
      return (
        page.items.length === LIST_SIZE &&
        page.items.every((item) => item.friendlyName.startsWith(`renamed ${settings.renames} `) || settings.renames === 0) &&
        page.items.every((item) => item.status === 'pending' || item.currentTermCharged !== '0.00')
      );
    });
  }
}

/** What the api answers for each call, for the bare route to answer the same; and the calls to send to both. */
async function collectBodies(apiUrl: string, partnerToken: string, publisherToken: string, customers: Customer[]) {
  const bare: BareBodies = { partner: {}, publisher: {}, resolve: {}, list: {} };
  const calls: Record<CallName, ReadCall[]> = { partnerGet: [], publisherGet: [], resolve: [], list: [] };
  for (const customer of customers) {
    const listPath = `/v1/customers/${customer.id}/subscriptions`;
    bare.list[customer.id] = await call(apiUrl, 'GET', listPath, partnerToken);
    calls.list.push({ method: 'GET', path: listPath });
    for (const id of customer.subscriptionIds) {
      const partnerPath = `/v1/customers/${customer.id}/subscriptions/${id}`;
      const response = await fetch(`${apiUrl}${partnerPath}`, { headers: { authorization: `Bearer ${partnerToken}` } });
      const body = (await response.json()) as { activationLink: string | null };
      bare.partner[id] = { body, etag: response.headers.get('etag')! };
      calls.partnerGet.push({ method: 'GET', path: partnerPath });
      const publisherPath = `/api/saas/subscriptions/${id}?${API_VERSION}`;
      bare.publisher[id] = await call(apiUrl, 'GET', publisherPath, publisherToken);
      calls.publisherGet.push({ method: 'GET', path: publisherPath });
      if (body.activationLink) {
        const token = new URL(body.activationLink).searchParams.get('token')!;
        const resolvePath = `/api/saas/subscriptions/resolve?${API_VERSION}`;
        bare.resolve[token] = await call(apiUrl, 'POST', resolvePath, publisherToken, undefined, { 'x-ms-marketplace-token': token });
        calls.resolve.push({ method: 'POST', path: resolvePath, headers: { 'x-ms-marketplace-token': token } });
      }
    }
  }
  return { bare, calls };
}

async function meanStreamLength(schema: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ mean: number }>(
      `SELECT avg(n)::float8 AS mean FROM (SELECT count(*) AS n FROM ${schema}.events WHERE stream_id LIKE 'subscription-%' GROUP BY stream_id) s`,
    );
    return round(rows[0].mean, 1);
  });
}

async function call(baseUrl: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('set-up did not settle within 60 s');
    await sleep(50);
  }
}

/** `work` over `items`, 16 at a time. */
async function inParallel<T>(items: T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

runBench(main);
