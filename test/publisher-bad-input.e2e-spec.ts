import { ApiClient } from './support/api-client';
import { expectProblem, purchase, Purchase } from './support/fixtures';
import { FORGED_CURSORS } from './support/forged-tokens';
import { billingStarted } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

/**
 * Every way a publisher can call the fulfillment API wrongly: each answers its own 4xx problem,
 * never a 500, appends nothing and leaves the subscriptions as they were.
 */

interface Expectation {
  status: number;
  /** Members the problem document must have, beyond those every problem has. */
  problem: Record<string, unknown>;
  /** The field the problem points at, when it names one. */
  pointer?: string;
}

interface Case extends Expectation {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** With {pending}, {active} and {operation} for the fixtures' ids; `?api-version=…` is not added. */
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Refused by Fastify's router, before any hook that echoes the request ids runs. */
  beforeRouting?: true;
}

const UNKNOWN = '7d5c3a43-3d42-4b6e-9a55-0e0f6c1d2b19';
const V = 'api-version=2018-08-31';
const ACTIVATE = `/api/saas/subscriptions/{pending}/activate?${V}`;
const SUBSCRIPTION = `/api/saas/subscriptions/{active}?${V}`;
const OPERATION = `/api/saas/subscriptions/{active}/operations/{operation}?${V}`;

const problem = (status: number, code: string, pointer?: string): Expectation => ({ status, problem: { type: `/problems/${code}` }, pointer });
const invalid = (pointer: string) => problem(400, 'invalid-request', pointer);
const notJson = problem(400, 'malformed-json');
const notUuid = (parameter: string) => ({ status: 400, problem: { type: '/problems/invalid-id', parameter, detail: `${parameter} must be a UUID.` } });

const call = (method: Case['method'], path: string) => (name: string, expected: Expectation, request: Partial<Case> = {}): Case => ({
  name,
  method,
  path,
  ...request,
  ...expected,
});
const activate = call('POST', ACTIVATE);
const update = call('PATCH', SUBSCRIPTION);
const answer = call('PATCH', OPERATION);

const BODY_CASES: Case[] = [
  activate('activate: a body that is not JSON', notJson, { rawBody: '{"planId": "standard",' }),
  activate('activate: an empty body', problem(400, 'empty-body'), { rawBody: '' }),
  activate('activate: a JSON array', invalid(''), { body: [{ planId: 'standard', quantity: 5 }] }),
  activate('activate: a JSON string', invalid(''), { rawBody: '"standard"' }),
  activate('activate: null', invalid(''), { rawBody: 'null' }),
  activate('activate: no planId', invalid('/planId'), { body: { quantity: 5 } }),
  activate('activate: planId a number', invalid('/planId'), { body: { planId: 7, quantity: 5 } }),
  activate('activate: planId empty', invalid('/planId'), { body: { planId: '', quantity: 5 } }),
  activate('activate: quantity a string', invalid('/quantity'), { body: { planId: 'standard', quantity: '5' } }),
  activate('activate: quantity a fraction', invalid('/quantity'), { body: { planId: 'standard', quantity: 5.5 } }),
  activate('activate: quantity negative', invalid('/quantity'), { body: { planId: 'standard', quantity: -5 } }),
  activate('activate: quantity beyond int32', invalid('/quantity'), { body: { planId: 'standard', quantity: 2 ** 31 } }),
  activate('activate: an unknown field', invalid('/offerId'), { body: { planId: 'standard', quantity: 5, offerId: 'fabrikam-crm' } }),
  activate('activate: a different quantity', problem(400, 'fulfillment-mismatch', '/quantity'), { body: { planId: 'standard', quantity: 6 } }),
  activate('activate: form-encoded', problem(415, 'unsupported-media-type'), {
    rawBody: 'planId=standard&quantity=5',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }),
  activate('activate: text/plain', problem(415, 'unsupported-media-type'), { rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
  activate('activate: a body over the size limit', problem(413, 'body-too-large'), { body: { planId: 'standard', quantity: 5, padding: 'x'.repeat(100_000) } }),

  update('PATCH: both planId and quantity', problem(400, 'plan-or-quantity'), { body: { planId: 'enterprise', quantity: 12 } }),
  update('PATCH: neither planId nor quantity', problem(400, 'plan-or-quantity'), { body: {} }),
  update('PATCH: quantity null', invalid('/quantity'), { body: { quantity: null } }),
  update('PATCH: planId null', invalid('/planId'), { body: { planId: null } }),
  update('PATCH: quantity zero', invalid('/quantity'), { body: { quantity: 0 } }),
  update('PATCH: quantity a string', invalid('/quantity'), { body: { quantity: '12' } }),
  update('PATCH: quantity a boolean', invalid('/quantity'), { body: { quantity: true } }),
  update('PATCH: planId an object', invalid('/planId'), { body: { planId: { id: 'enterprise' } } }),
  update('PATCH: planId of 65 characters', invalid('/planId'), { body: { planId: 'p'.repeat(65) } }),
  update('PATCH: an unknown field', invalid('/status'), { body: { quantity: 12, status: 'Unsubscribed' } }),
  update('PATCH: a body that is not JSON', notJson, { rawBody: "{quantity: 12}" }),
  update('PATCH: quantity above the plan', problem(400, 'quantity-out-of-range', '/quantity'), { body: { quantity: 501 } }),

  answer('operation: status Done', invalid('/status'), { body: { status: 'Done' } }),
  answer('operation: status in lower case', invalid('/status'), { body: { status: 'success' } }),
  answer('operation: status Succeeded (the stored name, not the PATCH one)', invalid('/status'), { body: { status: 'Succeeded' } }),
  answer('operation: no status', invalid('/status'), { body: { quantity: 6 } }),
  answer('operation: status a number', invalid('/status'), { body: { status: 1 } }),
  answer('operation: quantity a string', invalid('/quantity'), { body: { status: 'Success', quantity: '6' } }),
  answer('operation: an unknown field', invalid('/reason'), { body: { status: 'Failure', reason: 'no' } }),
  answer('operation: a body that is not JSON', notJson, { rawBody: '{"status":"Success"' }),
  answer('operation: a plan that is not the operation’s', problem(400, 'operation-mismatch', '/planId'), { body: { status: 'Success', planId: 'enterprise' } }),
];

const get = (name: string, path: string, expected: Expectation): Case => ({ name, method: 'GET', path, ...expected });

const PATH_CASES: Case[] = [
  get('a subscription id that is not a UUID', `/api/saas/subscriptions/crm?${V}`, notUuid('subscriptionId')),
  get('a subscription id without dashes', `/api/saas/subscriptions/${UNKNOWN.replace(/-/g, '')}?${V}`, notUuid('subscriptionId')),
  get('plans of a non-UUID subscription', `/api/saas/subscriptions/crm/listAvailablePlans?${V}`, notUuid('subscriptionId')),
  get('operations of a non-UUID subscription', `/api/saas/subscriptions/crm/operations?${V}`, notUuid('subscriptionId')),
  get('an operation id that is not a UUID', `/api/saas/subscriptions/{active}/operations/op-1?${V}`, notUuid('operationId')),
  { name: 'activate a non-UUID subscription', method: 'POST', path: `/api/saas/subscriptions/12345/activate?${V}`, body: { planId: 'standard', quantity: 5 }, ...notUuid('subscriptionId') },
  { name: 'PATCH a non-UUID subscription', method: 'PATCH', path: `/api/saas/subscriptions/12345?${V}`, body: { quantity: 6 }, ...notUuid('subscriptionId') },
  { name: 'DELETE a non-UUID subscription', method: 'DELETE', path: `/api/saas/subscriptions/12345?${V}`, ...notUuid('subscriptionId') },
  { name: 'PATCH a non-UUID operation', method: 'PATCH', path: `/api/saas/subscriptions/{active}/operations/op-1?${V}`, body: { status: 'Success' }, ...notUuid('operationId') },
  get('an unknown subscription', `/api/saas/subscriptions/${UNKNOWN}?${V}`, problem(404, 'subscription-not-found')),
  get('an unknown operation', `/api/saas/subscriptions/{active}/operations/${UNKNOWN}?${V}`, problem(404, 'operation-not-found')),
  { ...get('a path with a broken percent-encoding', `/api/saas/subscriptions/%FF?${V}`, problem(400, 'malformed-url')), beforeRouting: true },
];

const QUERY_CASES: Case[] = [
  get('no api-version', '/api/saas/subscriptions', problem(400, 'api-version-required', 'api-version')),
  get('an empty api-version', '/api/saas/subscriptions?api-version=', problem(400, 'unsupported-api-version', 'api-version')),
  get('api-version 2018-09-15', '/api/saas/subscriptions?api-version=2018-09-15', problem(400, 'unsupported-api-version', 'api-version')),
  get('api-version twice', `/api/saas/subscriptions?${V}&${V}`, problem(400, 'api-version-repeated', 'api-version')),
  get('Api-Version in another case', '/api/saas/subscriptions?Api-Version=2018-08-31', problem(400, 'api-version-required', 'api-version')),
  { name: 'activate without api-version', method: 'POST', path: '/api/saas/subscriptions/{pending}/activate', body: { planId: 'standard', quantity: 5 }, ...problem(400, 'api-version-required') },
  { name: 'PATCH with two api-versions', method: 'PATCH', path: `${SUBSCRIPTION}&api-version=2018-08-31`, body: { quantity: 6 }, ...problem(400, 'api-version-repeated') },
  { name: 'DELETE with another api-version', method: 'DELETE', path: '/api/saas/subscriptions/{active}?api-version=2023-01-01', ...problem(400, 'unsupported-api-version') },
  { name: 'an operation answer without api-version', method: 'PATCH', path: '/api/saas/subscriptions/{active}/operations/{operation}', body: { status: 'Success' }, ...problem(400, 'api-version-required') },
  get('an unknown query parameter', `/api/saas/subscriptions?${V}&pageSize=10`, invalid('/pageSize')),
  get('a continuationToken that is not ours', `/api/saas/subscriptions?${V}&continuationToken=abc`, problem(400, 'invalid-continuation-token')),
  ...FORGED_CURSORS.map(([name, token]) =>
    get(`a forged continuationToken: ${name}`, `/api/saas/subscriptions?${V}&continuationToken=${token}`, problem(400, 'invalid-continuation-token')),
  ),
  get('a continuationToken of 513 characters', `/api/saas/subscriptions?${V}&continuationToken=${'a'.repeat(513)}`, invalid('/continuationToken')),
  get('a planId filter of 65 characters', `/api/saas/subscriptions/{active}/listAvailablePlans?${V}&planId=${'p'.repeat(65)}`, invalid('/planId')),
  get('a planId filter given twice', `/api/saas/subscriptions/{active}/listAvailablePlans?${V}&planId=standard&planId=enterprise`, invalid('/planId')),
];

const RESOLVE = `/api/saas/subscriptions/resolve?${V}`;
const resolve = (name: string, headers: Record<string, string>, expected: Expectation): Case => ({ name, method: 'POST', path: RESOLVE, headers, ...expected });

const TOKEN_CASES: Case[] = [
  resolve('resolve without a token', {}, problem(400, 'invalid-marketplace-token', 'x-ms-marketplace-token')),
  resolve('resolve with a blank token', { 'x-ms-marketplace-token': '   ' }, problem(400, 'invalid-marketplace-token', 'x-ms-marketplace-token')),
  resolve('resolve with a token of 5000 characters', { 'x-ms-marketplace-token': 'a'.repeat(5000) }, problem(400, 'invalid-marketplace-token', 'x-ms-marketplace-token')),
  resolve('resolve with a broken URL-encoding', { 'x-ms-marketplace-token': 'abc%E0%A4%A' }, problem(400, 'invalid-marketplace-token', 'x-ms-marketplace-token')),
  resolve('resolve with a JWT that is not a code', { 'x-ms-marketplace-token': 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }, problem(400, 'invalid-marketplace-token')),
  { name: 'resolve with a body', method: 'POST', path: RESOLVE, headers: { 'x-ms-marketplace-token': 'x' }, rawBody: '{"token":', ...notJson },
];

const titled = (cases: Case[]) => cases.map((c) => ({ ...c, title: `${c.name} → ${c.status}` }));

describe('Publisher API refuses bad input', () => {
  let system: TestSystem;
  let fabrikam: ApiClient;
  let pending: Purchase;
  let active: Purchase;
  let operationId: string;
  let before: { pending: unknown; active: unknown };

  const read = async (id: string) => (await fabrikam.get(`/api/saas/subscriptions/${id}?${V}`)).body;

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    const contoso = await system.client('contoso');
    fabrikam = await system.client('fabrikam');
    pending = await purchase(contoso, { quantity: 5 });
    active = await purchase(contoso, { quantity: 12 });
    await billingStarted(system, active.subscriptionId, 12);
    const patched = await fabrikam.patch(`/api/saas/subscriptions/${active.subscriptionId}?${V}`, { body: { quantity: 13 } });
    if (patched.status !== 202) throw new Error(`PATCH: ${patched.status} ${patched.text}`);
    operationId = /\/operations\/([0-9a-f-]{36})\?/.exec(patched.headers.get('operation-location')!)![1];
    before = { pending: await read(pending.subscriptionId), active: await read(active.subscriptionId) };
  });

  afterAll(() => system.close());

  const fill = (text: string): string =>
    text.replace(/\{pending\}/g, pending.subscriptionId).replace(/\{active\}/g, active.subscriptionId).replace(/\{operation\}/g, operationId);

  async function expectRefused(c: Case): Promise<void> {
    const events = await system.eventCount();
    const response = await fabrikam.request(c.method, fill(c.path), { body: c.body, rawBody: c.rawBody, headers: c.headers });
    expectProblem(response, c.status);
    expect(response.body).toMatchObject(c.problem);
    if (c.pointer !== undefined) expect(response.body.errors).toEqual([{ pointer: c.pointer, detail: expect.any(String) }]);
    if (!c.beforeRouting) expect(response.headers.get('x-ms-requestid')).toEqual(expect.any(String));
    expect(await system.eventCount()).toBe(events);
  }

  it.each(titled(BODY_CASES))('a body: $title', expectRefused);
  it.each(titled(PATH_CASES))('a path: $title', expectRefused);
  it.each(titled(QUERY_CASES))('a query: $title', expectRefused);
  it.each(titled(TOKEN_CASES))('a token: $title', expectRefused);

  it('left both subscriptions and the waiting operation as they were', async () => {
    expect(await read(pending.subscriptionId)).toEqual(before.pending);
    expect(await read(active.subscriptionId)).toEqual(before.active);
    const operation = await fabrikam.get(`/api/saas/subscriptions/${active.subscriptionId}/operations/${operationId}?${V}`);
    expect(operation.body).toMatchObject({ status: 'InProgress', quantity: 13 });
  });
});
