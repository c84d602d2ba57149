import { ApiClient } from './support/api-client';
import { expectProblem, lineItem, purchase, Purchase, snapshot, Snapshot } from './support/fixtures';
import { FORGED_CURSORS } from './support/forged-tokens';
import { startSystem, TestSystem } from './support/system';

/**
 * Every way a partner can send a request the API must refuse: each answers its own 4xx problem,
 * never a 500, appends nothing and leaves the subscriptions as they were.
 */

interface FieldProblem {
  pointer: string;
  detail: string;
}

interface Expectation {
  status: number;
  /** Members the problem document must have (beyond type, title, status and detail, which every one has). */
  problem: Record<string, unknown>;
  /** The exact field problems, when the problem is a validation one. */
  errors?: FieldProblem[];
}

interface Case extends Expectation {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** With {customer}, {order}, {subscription}, {enterpriseCustomer}, {enterpriseSubscription} for the fixtures' ids. */
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

const UNKNOWN = '7d5c3a43-3d42-4b6e-9a55-0e0f6c1d2b19';
const CUSTOMERS = '/v1/customers';
const ORDERS = '/v1/customers/{customer}/orders';
const ORDER = '/v1/customers/{customer}/orders/{order}';
const SUBSCRIPTIONS = '/v1/customers/{customer}/subscriptions';
const SUBSCRIPTION = '/v1/customers/{customer}/subscriptions/{subscription}';
const ENTERPRISE = '/v1/customers/{enterpriseCustomer}/subscriptions/{enterpriseSubscription}';
const ENTERPRISE_ORDERS = '/v1/customers/{enterpriseCustomer}/orders';

const invalid = (...errors: [pointer: string, detail: string][]): Expectation => ({
  status: 400,
  problem: { type: '/problems/invalid-request' },
  errors: errors.map(([pointer, detail]) => ({ pointer, detail })),
});
const problem = (status: number, code: string, members: Record<string, unknown> = {}): Expectation => ({
  status,
  problem: { type: code === 'about:blank' ? code : `/problems/${code}`, ...members },
});
const notAnObject = invalid(['', 'The body must be a JSON object.']);
const unsupported = problem(415, 'unsupported-media-type', { detail: 'Send the body as application/json.' });
const notJson = problem(400, 'malformed-json', { detail: expect.stringMatching(/^The body is not valid JSON: /) });
/** A rule of the domain refused one field: the problem names the rule and points at the field. */
const refusedField = (code: string, pointer: string, members: Record<string, unknown> = {}): Expectation => ({
  ...problem(400, code, members),
  errors: [{ pointer, detail: expect.any(String) }],
});

const titled = (cases: Case[]) => cases.map((c) => ({ ...c, title: `${c.name} → ${c.status}` }));

/** The three calls that take a body, each with a valid body and a way to put text into one of its free-text fields. */
const BODY_ENDPOINTS = [
  {
    endpoint: 'POST /v1/customers',
    method: 'POST' as const,
    path: CUSTOMERS,
    valid: { companyName: 'Valid Ltd' },
    form: 'companyName=Valid+Ltd',
    withText: (text: string) => ({ companyName: text }),
    text: ['/companyName', 'companyName'],
  },
  {
    endpoint: 'POST /v1/customers/{id}/orders',
    method: 'POST' as const,
    path: ORDERS,
    valid: { lineItems: [lineItem()] },
    form: 'lineItems[0][offerId]=fabrikam-crm&lineItems[0][planId]=standard&lineItems[0][quantity]=5',
    withText: (text: string) => ({ lineItems: [lineItem({ friendlyName: text })] }),
    text: ['/lineItems/0/friendlyName', 'friendlyName'],
  },
  {
    endpoint: 'PATCH /v1/customers/{id}/subscriptions/{id}',
    method: 'PATCH' as const,
    path: SUBSCRIPTION,
    valid: { friendlyName: 'Renamed' },
    form: 'friendlyName=Renamed',
    withText: (text: string) => ({ friendlyName: text }),
    text: ['/friendlyName', 'friendlyName'],
  },
];

function envelopeCases({ method, path, valid, form, withText, text: [pointer, field] }: (typeof BODY_ENDPOINTS)[number]): Case[] {
  const json = JSON.stringify(valid);
  const at = { method, path };
  const deep = 10_000;
  return [
    { ...at, name: 'malformed JSON (cut short)', rawBody: json.slice(0, -1), ...notJson },
    { ...at, name: 'malformed JSON (trailing comma)', rawBody: `${json.slice(0, -1)},}`, ...notJson },
    { ...at, name: 'malformed JSON (single quotes)', rawBody: json.replace(/"/g, "'"), ...notJson },
    { ...at, name: 'an empty body labelled application/json', rawBody: '', ...problem(400, 'empty-body', { detail: 'The body is empty but Content-Type says application/json.' }) },
    { ...at, name: 'a JSON array of the valid body', rawBody: `[${json}]`, ...notAnObject },
    { ...at, name: 'an empty JSON array', rawBody: '[]', ...notAnObject },
    { ...at, name: 'a JSON string', rawBody: '"Valid Ltd"', ...notAnObject },
    { ...at, name: 'a JSON number', rawBody: '42', ...notAnObject },
    { ...at, name: 'JSON true', rawBody: 'true', ...notAnObject },
    { ...at, name: 'JSON null', rawBody: 'null', ...notAnObject },
    { ...at, name: 'the valid body as text/plain', rawBody: json, headers: { 'content-type': 'text/plain' }, ...unsupported },
    { ...at, name: 'the valid body as application/xml', rawBody: '<request/>', headers: { 'content-type': 'application/xml' }, ...unsupported },
    { ...at, name: 'a form (application/x-www-form-urlencoded)', rawBody: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }, ...unsupported },
    {
      ...at,
      name: 'multipart/form-data',
      rawBody: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b--\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      ...unsupported,
    },
    { ...at, name: 'a body above the 64 KiB limit', body: { ...valid, padding: 'x'.repeat(65 * 1024) }, ...problem(413, 'body-too-large') },
    { ...at, name: 'a __proto__ member (prototype poisoning)', rawBody: `{"__proto__":{"isAdmin":true},${json.slice(1)}`, ...notJson },
    {
      ...at,
      name: `an array nested ${deep} levels deep`,
      rawBody: `{"deep":${'['.repeat(deep)}${']'.repeat(deep)},${json.slice(1)}`,
      ...invalid([`/deep${'/0'.repeat(31)}`, 'The body is nested more than 32 levels deep.']),
    },
    { ...at, name: `a NUL character in ${field}`, body: withText('Valid\u0000Ltd'), ...invalid([pointer, `${field} must not contain NUL characters or unpaired surrogates`]) },
    { ...at, name: `an unpaired surrogate in ${field}`, body: withText('Valid\ud800Ltd'), ...invalid([pointer, `${field} must not contain NUL characters or unpaired surrogates`]) },
  ];
}

const CUSTOMER_CASES: Case[] = [
  ['no companyName', {}, invalid(['/companyName', 'companyName must be a string'])],
  ['companyName 12', { companyName: 12 }, invalid(['/companyName', 'companyName must be a string'])],
  ['companyName null', { companyName: null }, invalid(['/companyName', 'companyName must be a string'])],
  ['companyName ["Adatum"]', { companyName: ['Adatum'] }, invalid(['/companyName', 'companyName must be a string'])],
  ['companyName {}', { companyName: {} }, invalid(['/companyName', 'companyName must be a string'])],
  ['companyName of whitespace only', { companyName: ' \t\n ' }, problem(400, 'invalid-company-name')],
  ['companyName of 256 characters', { companyName: 'x'.repeat(256) }, problem(400, 'invalid-company-name')],
  ['companyName of 1025 characters', { companyName: 'x'.repeat(1025) }, invalid(['/companyName', 'companyName must be shorter than or equal to 1024 characters'])],
  ['domain 5', { companyName: 'Adatum', domain: 5 }, invalid(['/domain', 'domain must be a string'])],
  ['domain "not a domain"', { companyName: 'Adatum', domain: 'not a domain' }, problem(400, 'invalid-domain')],
  ['domain of 254 characters', { companyName: 'Adatum', domain: `${'a'.repeat(250)}.com` }, invalid(['/domain', 'domain must be shorter than or equal to 253 characters'])],
  ['an unknown field', { companyName: 'Adatum', foo: 1 }, invalid(['/foo', 'property foo should not exist'])],
  ['its own partnerId', { companyName: 'Adatum', partnerId: 'northwind' }, invalid(['/partnerId', 'property partnerId should not exist'])],
  ['its own id', { companyName: 'Adatum', id: UNKNOWN }, invalid(['/id', 'property id should not exist'])],
  [
    'two wrong fields at once',
    { companyName: 12, domain: 5 },
    invalid(['/companyName', 'companyName must be a string'], ['/domain', 'domain must be a string']),
  ],
].map(([name, body, expected]) => ({ name: name as string, method: 'POST' as const, path: CUSTOMERS, body, ...(expected as Expectation) }));

const keyCases = (path: string, body: unknown): Case[] =>
  [
    ['an empty Idempotency-Key', ''],
    ['an Idempotency-Key of 256 characters', 'k'.repeat(256)],
    ['an Idempotency-Key of 300 characters', 'k'.repeat(300)],
    ['an Idempotency-Key with a space', 'order 1'],
  ].map(([name, key]) => ({
    name,
    method: 'POST' as const,
    path,
    body,
    headers: { 'idempotency-key': key },
    ...problem(400, 'invalid-idempotency-key', { detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters.' }),
  }));

const line = (overrides: Record<string, unknown>) => ({ lineItems: [{ ...lineItem(), ...overrides }] });
const without = (field: string) => {
  const item: Record<string, unknown> = { ...lineItem() };
  delete item[field];
  return { lineItems: [item] };
};
const outOfRange = (pointer: string, minQuantity: number, maxQuantity: number) =>
  refusedField('quantity-out-of-range', pointer, { pointer, minQuantity, maxQuantity, detail: expect.stringContaining(`from ${minQuantity} to ${maxQuantity}`) });

const ORDER_CASES: Case[] = [
  ['no lineItems', {}, invalid(['/lineItems', 'lineItems must be an array'])],
  ['lineItems {}', { lineItems: {} }, invalid(['/lineItems', 'lineItems must be an array'])],
  ['lineItems "all"', { lineItems: 'all' }, invalid(['/lineItems', 'lineItems must be an array'])],
  ['lineItems null', { lineItems: null }, invalid(['/lineItems', 'lineItems must be an array'])],
  ['lineItems []', { lineItems: [] }, invalid(['/lineItems', 'lineItems must contain at least 1 elements'])],
  ['51 lineItems', { lineItems: Array.from({ length: 51 }, () => lineItem()) }, invalid(['/lineItems', 'lineItems must contain no more than 50 elements'])],
  ['lineItems [1]', { lineItems: [1] }, invalid(['/lineItems/0', 'each value in nested property lineItems must be either object or array'])],
  ['lineItems [null]', { lineItems: [null] }, invalid(['/lineItems/0', 'each value in nested property lineItems must be either object or array'])],
  ['quantity "5"', line({ quantity: '5' }), invalid(['/lineItems/0/quantity', 'quantity must be an integer number'])],
  ['quantity 5.5', line({ quantity: 5.5 }), invalid(['/lineItems/0/quantity', 'quantity must be an integer number'])],
  ['quantity true', line({ quantity: true }), invalid(['/lineItems/0/quantity', 'quantity must be an integer number'])],
  ['quantity null', line({ quantity: null }), invalid(['/lineItems/0/quantity', 'quantity must be an integer number'])],
  ['no quantity', without('quantity'), invalid(['/lineItems/0/quantity', 'quantity must be an integer number'])],
  ['quantity 0', line({ quantity: 0 }), invalid(['/lineItems/0/quantity', 'quantity must not be less than 1'])],
  ['quantity -1', line({ quantity: -1 }), invalid(['/lineItems/0/quantity', 'quantity must not be less than 1'])],
  ['quantity 1e9', line({ quantity: 1e9 }), invalid(['/lineItems/0/quantity', 'quantity must not be greater than 1000000'])],
  ['quantity 501, above the standard plan maximum', line({ quantity: 501 }), outOfRange('/lineItems/0/quantity', 1, 500)],
  ['quantity 9, below the enterprise plan minimum', line({ planId: 'enterprise', quantity: 9 }), outOfRange('/lineItems/0/quantity', 10, 10000)],
  ['quantity 10001, above the enterprise plan maximum', line({ planId: 'enterprise', quantity: 10001 }), outOfRange('/lineItems/0/quantity', 10, 10000)],
  ['a good line then quantity "5"', { lineItems: [lineItem(), { ...lineItem(), quantity: '5' }] }, invalid(['/lineItems/1/quantity', 'quantity must be an integer number'])],
  ['a good line then quantity 501', { lineItems: [lineItem(), lineItem({ quantity: 501 })] }, outOfRange('/lineItems/1/quantity', 1, 500)],
  [
    'two bad lines',
    { lineItems: [{ ...lineItem(), termDuration: 'P5Y' }, { ...lineItem(), billingCycle: 'weekly' }] },
    invalid(
      ['/lineItems/0/termDuration', 'termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y'],
      ['/lineItems/1/billingCycle', 'billingCycle must be one of the following values: monthly, annual, upfront'],
    ),
  ],
  ['offerId 5', line({ offerId: 5 }), invalid(['/lineItems/0/offerId', 'offerId must be a string'])],
  ['no offerId', without('offerId'), invalid(['/lineItems/0/offerId', 'offerId must be a string'])],
  ['an unknown offer', line({ offerId: 'contoso-erp' }), problem(400, 'unknown-offer', { pointer: '/lineItems/0/offerId' })],
  ['planId 7', line({ planId: 7 }), invalid(['/lineItems/0/planId', 'planId must be a string'])],
  ['an unknown plan', line({ planId: 'platinum' }), problem(400, 'unknown-plan', { pointer: '/lineItems/0/planId' })],
  ['termDuration "P5Y"', line({ termDuration: 'P5Y' }), invalid(['/lineItems/0/termDuration', 'termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y'])],
  ['termDuration "p1m"', line({ termDuration: 'p1m' }), invalid(['/lineItems/0/termDuration', 'termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y'])],
  ['no termDuration', without('termDuration'), invalid(['/lineItems/0/termDuration', 'termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y'])],
  ['a P2Y term, which Fabrikam CRM does not sell', line({ termDuration: 'P2Y' }), problem(400, 'unavailable-term', { pointer: '/lineItems/0/termDuration' })],
  ['billingCycle "weekly"', line({ billingCycle: 'weekly' }), invalid(['/lineItems/0/billingCycle', 'billingCycle must be one of the following values: monthly, annual, upfront'])],
  ['a P1M term billed annually', line({ billingCycle: 'annual' }), refusedField('invalid-billing-cycle', '/lineItems/0/billingCycle', { pointer: '/lineItems/0/billingCycle' })],
  ['a P1M term billed upfront', line({ billingCycle: 'upfront' }), refusedField('invalid-billing-cycle', '/lineItems/0/billingCycle', { pointer: '/lineItems/0/billingCycle' })],
  [
    'a P1Y term billed upfront, which Fabrikam CRM does not sell',
    line({ termDuration: 'P1Y', billingCycle: 'upfront' }),
    problem(400, 'unavailable-billing-cycle', { pointer: '/lineItems/0/billingCycle', billingCycles: ['monthly', 'annual'] }),
  ],
  ['friendlyName 12', line({ friendlyName: 12 }), invalid(['/lineItems/0/friendlyName', 'friendlyName must be a string'])],
  ['friendlyName null', line({ friendlyName: null }), invalid(['/lineItems/0/friendlyName', 'friendlyName must be a string'])],
  ['partnerIdOnRecord null', line({ partnerIdOnRecord: null }), invalid(['/lineItems/0/partnerIdOnRecord', 'partnerIdOnRecord must be 6 to 10 digits'])],
  ['friendlyName of 129 characters', line({ friendlyName: 'x'.repeat(129) }), refusedField('invalid-friendly-name', '/lineItems/0/friendlyName', { pointer: '/lineItems/0/friendlyName' })],
  ['friendlyName of whitespace only', line({ friendlyName: '   ' }), refusedField('invalid-friendly-name', '/lineItems/0/friendlyName', { pointer: '/lineItems/0/friendlyName' })],
  ['friendlyName ""', line({ friendlyName: '' }), refusedField('invalid-friendly-name', '/lineItems/0/friendlyName', { pointer: '/lineItems/0/friendlyName' })],
  ['partnerIdOnRecord 1234567 (a number)', line({ partnerIdOnRecord: 1234567 }), invalid(['/lineItems/0/partnerIdOnRecord', 'partnerIdOnRecord must be 6 to 10 digits'])],
  ['partnerIdOnRecord of 5 digits', line({ partnerIdOnRecord: '12345' }), invalid(['/lineItems/0/partnerIdOnRecord', 'partnerIdOnRecord must be 6 to 10 digits'])],
  ['partnerIdOnRecord of 11 digits', line({ partnerIdOnRecord: '12345678901' }), invalid(['/lineItems/0/partnerIdOnRecord', 'partnerIdOnRecord must be 6 to 10 digits'])],
  ['partnerIdOnRecord with a letter', line({ partnerIdOnRecord: '12345a7' }), invalid(['/lineItems/0/partnerIdOnRecord', 'partnerIdOnRecord must be 6 to 10 digits'])],
  ['an unknown field in a line item', line({ unitPrice: '0.01' }), invalid(['/lineItems/0/unitPrice', 'property unitPrice should not exist'])],
  ['an unknown top-level field', { ...line({}), customerId: UNKNOWN }, invalid(['/customerId', 'property customerId should not exist'])],
].map(([name, body, expected]) => ({ name: name as string, method: 'POST' as const, path: ORDERS, body, ...(expected as Expectation) }));

const ORDER_PATH_CASES: Case[] = [
  { name: 'a customer id that is not a UUID', method: 'POST', path: '/v1/customers/adatum/orders', body: line({}), ...problem(400, 'invalid-id', { parameter: 'customerId' }) },
  { name: 'a non-UUID customer id and a bad body (the path is checked first)', method: 'POST', path: '/v1/customers/adatum/orders', body: { lineItems: 5 }, ...problem(400, 'invalid-id', { parameter: 'customerId' }) },
  { name: 'an unknown customer', method: 'POST', path: `/v1/customers/${UNKNOWN}/orders`, body: line({}), ...problem(404, 'customer-not-found') },
];

const patch = (body: unknown, expected: Expectation, path = SUBSCRIPTION) => ({ method: 'PATCH' as const, path, body, ...expected });

const PATCH_CASES: Case[] = [
  { name: 'an empty object', ...patch({}, problem(400, 'empty-update')) },
  { name: 'no body at all', method: 'PATCH', path: SUBSCRIPTION, ...problem(400, 'empty-update') },
  { name: 'quantity "5"', ...patch({ quantity: '5' }, invalid(['/quantity', 'quantity must be an integer number'])) },
  { name: 'quantity 5.5', ...patch({ quantity: 5.5 }, invalid(['/quantity', 'quantity must be an integer number'])) },
  { name: 'quantity true', ...patch({ quantity: true }, invalid(['/quantity', 'quantity must be an integer number'])) },
  { name: 'quantity null', ...patch({ quantity: null }, invalid(['/quantity', 'quantity must be an integer number'])) },
  { name: 'quantity 0', ...patch({ quantity: 0 }, invalid(['/quantity', 'quantity must not be less than 1'])) },
  { name: 'quantity -1', ...patch({ quantity: -1 }, invalid(['/quantity', 'quantity must not be less than 1'])) },
  { name: 'quantity 1e9', ...patch({ quantity: 1e9 }, invalid(['/quantity', 'quantity must not be greater than 1000000'])) },
  { name: 'quantity 501, above the standard plan maximum', ...patch({ quantity: 501 }, refusedField('quantity-out-of-range', '/quantity', { minQuantity: 1, maxQuantity: 500 })) },
  { name: 'quantity 9, below the enterprise plan minimum', ...patch({ quantity: 9 }, refusedField('quantity-out-of-range', '/quantity', { minQuantity: 10, maxQuantity: 10000 }), ENTERPRISE) },
  { name: 'quantity 10001, above the enterprise plan maximum', ...patch({ quantity: 10001 }, refusedField('quantity-out-of-range', '/quantity', { minQuantity: 10, maxQuantity: 10000 }), ENTERPRISE) },
  { name: 'friendlyName 12', ...patch({ friendlyName: 12 }, invalid(['/friendlyName', 'friendlyName must be a string'])) },
  { name: 'friendlyName null', ...patch({ friendlyName: null }, invalid(['/friendlyName', 'friendlyName must be a string'])) },
  { name: 'friendlyName ["CRM"]', ...patch({ friendlyName: ['CRM'] }, invalid(['/friendlyName', 'friendlyName must be a string'])) },
  { name: 'friendlyName of 129 characters', ...patch({ friendlyName: 'x'.repeat(129) }, refusedField('invalid-friendly-name', '/friendlyName')) },
  { name: 'friendlyName of whitespace only', ...patch({ friendlyName: ' \t ' }, refusedField('invalid-friendly-name', '/friendlyName')) },
  { name: 'friendlyName ""', ...patch({ friendlyName: '' }, refusedField('invalid-friendly-name', '/friendlyName')) },
  { name: 'autoRenewEnabled "false"', ...patch({ autoRenewEnabled: 'false' }, invalid(['/autoRenewEnabled', 'autoRenewEnabled must be a boolean value'])) },
  { name: 'autoRenewEnabled 0', ...patch({ autoRenewEnabled: 0 }, invalid(['/autoRenewEnabled', 'autoRenewEnabled must be a boolean value'])) },
  { name: 'autoRenewEnabled null', ...patch({ autoRenewEnabled: null }, invalid(['/autoRenewEnabled', 'autoRenewEnabled must be a boolean value'])) },
  { name: 'partnerId 1234567 (a number)', ...patch({ partnerId: 1234567 }, invalid(['/partnerId', 'partnerId must be 6 to 10 digits, or null'])) },
  { name: 'partnerId of 5 digits', ...patch({ partnerId: '12345' }, invalid(['/partnerId', 'partnerId must be 6 to 10 digits, or null'])) },
  { name: 'partnerId of 11 digits', ...patch({ partnerId: '12345678901' }, invalid(['/partnerId', 'partnerId must be 6 to 10 digits, or null'])) },
  { name: 'partnerId ""', ...patch({ partnerId: '' }, invalid(['/partnerId', 'partnerId must be 6 to 10 digits, or null'])) },
  { name: 'partnerId true', ...patch({ partnerId: true }, invalid(['/partnerId', 'partnerId must be 6 to 10 digits, or null'])) },
  { name: 'status "paused"', ...patch({ status: 'paused' }, invalid(['/status', 'status must be one of the following values: deleted, suspended, active'])) },
  { name: 'status "Deleted"', ...patch({ status: 'Deleted' }, invalid(['/status', 'status must be one of the following values: deleted, suspended, active'])) },
  { name: 'status null', ...patch({ status: null }, invalid(['/status', 'status must be one of the following values: deleted, suspended, active'])) },
  { name: 'an unknown field', ...patch({ foo: 1 }, invalid(['/foo', 'property foo should not exist'])) },
  { name: 'a planId (plans cannot be changed here)', ...patch({ planId: 'enterprise' }, invalid(['/planId', 'property planId should not exist'])) },
  { name: 'a customerId (a subscription cannot move)', ...patch({ customerId: UNKNOWN }, invalid(['/customerId', 'property customerId should not exist'])) },
  { name: 'a good quantity with an unknown field', ...patch({ quantity: 6, foo: 1 }, invalid(['/foo', 'property foo should not exist'])) },
  { name: 'a good friendlyName with quantity 0', ...patch({ friendlyName: 'Renamed', quantity: 0 }, invalid(['/quantity', 'quantity must not be less than 1'])) },
  {
    name: 'two wrong fields at once',
    ...patch({ friendlyName: 12, quantity: '5' }, invalid(['/friendlyName', 'friendlyName must be a string'], ['/quantity', 'quantity must be an integer number'])),
  },
  { name: 'a good friendlyName with quantity 501 (all or nothing)', ...patch({ friendlyName: 'Renamed', quantity: 501 }, problem(400, 'quantity-out-of-range')) },
  ...[
    ['If-Match: garbage', 'garbage'],
    ['If-Match without quotes', '0'],
    ['If-Match "abc"', '"abc"'],
    ['an empty If-Match', ''],
    ['If-Match with two ETags', '"0", "1"'],
  ].map(([name, ifMatch]) => ({
    name,
    ...patch({ friendlyName: 'Renamed' }, problem(400, 'invalid-if-match')),
    headers: { 'if-match': ifMatch },
  })),
  { name: 'a subscription id that is not a UUID', ...patch({ friendlyName: 'Renamed' }, problem(400, 'invalid-id', { parameter: 'subscriptionId' }), `${SUBSCRIPTIONS}/crm`) },
  { name: 'a customer id that is not a UUID', ...patch({ friendlyName: 'Renamed' }, problem(400, 'invalid-id', { parameter: 'customerId' }), '/v1/customers/1/subscriptions/{subscription}') },
  { name: 'an unknown subscription', ...patch({ friendlyName: 'Renamed' }, problem(404, 'subscription-not-found'), `${SUBSCRIPTIONS}/${UNKNOWN}`) },
  { name: 'the subscription under an unknown customer', ...patch({ friendlyName: 'Renamed' }, problem(404, 'subscription-not-found'), `/v1/customers/${UNKNOWN}/subscriptions/{subscription}`) },
];

const LISTS = [
  { list: 'GET /v1/customers', path: CUSTOMERS },
  { list: 'GET /v1/customers/{id}/orders', path: ORDERS },
  { list: 'GET /v1/customers/{id}/subscriptions', path: SUBSCRIPTIONS },
];

const queryCases = (path: string): Case[] =>
  [
    ['size=0', invalid(['/size', 'size must not be less than 1'])],
    ['size=501', invalid(['/size', 'size must not be greater than 500'])],
    // Decimal digits only: each of these is a number to Number() or class-transformer.
    ...['-1', 'abc', '1.5', '', '0x10', '0o10', '0b101', '1e2', '+5', '%205', '5%20', '5%0A', '1_000', 'Infinity', '%D9%A3'].map((size) => [
      `size=${size}`,
      invalid(['/size', 'size must be a whole number in decimal digits']),
    ]),
    ['size=1&size=2', invalid(['/size', 'size must be a whole number in decimal digits'])],
    ['continuationToken=garbage', problem(400, 'invalid-continuation-token', { detail: 'continuationToken is not valid for this list' })],
    [`continuationToken=${Buffer.from('{"id":1}').toString('base64url')}`, problem(400, 'invalid-continuation-token')],
    [`continuationToken=${'x'.repeat(600)}`, invalid(['/continuationToken', 'continuationToken must be shorter than or equal to 512 characters'])],
    ['continuationToken=a&continuationToken=b', invalid(['/continuationToken', 'continuationToken must be a string'])],
    ['sort=companyName', invalid(['/sort', 'property sort should not exist'])],
  ].map(([query, expected]) => ({
    name: `?${(query as string).length > 60 ? `${(query as string).slice(0, 40)}… (${(query as string).length} characters)` : query}`,
    method: 'GET' as const,
    path: `${path}?${query as string}`,
    ...(expected as Expectation),
  }));

/** Tokens made to look like ours: each must be refused before it reaches PostgreSQL. */
const forgedTokenCases = (path: string): Case[] =>
  FORGED_CURSORS.map(([name, token]) => ({
    name: `?continuationToken= a forged token: ${name}`,
    method: 'GET' as const,
    path: `${path}?continuationToken=${token}`,
    ...problem(400, 'invalid-continuation-token'),
  }));

const get = (name: string, path: string, expected: Expectation): Case => ({ name, method: 'GET', path, ...expected });
const notUuid = (parameter: string) => problem(400, 'invalid-id', { parameter, detail: `${parameter} must be a UUID.` });
const notPositive = problem(400, 'invalid-parameter', { parameter: 'lineItemNumber', detail: 'lineItemNumber must be a positive whole number.' });
const LINKS = `${ORDER}/lineitems`;

const PATH_CASES: Case[] = [
  get('a customer id "adatum"', '/v1/customers/adatum', notUuid('customerId')),
  get('a customer id "12345"', '/v1/customers/12345', notUuid('customerId')),
  get('a customer id without dashes', `/v1/customers/${UNKNOWN.replace(/-/g, '')}`, notUuid('customerId')),
  get('a customer id one character short', `/v1/customers/${UNKNOWN.slice(0, -1)}`, notUuid('customerId')),
  get('a customer id with one character too many', `/v1/customers/${UNKNOWN}0`, notUuid('customerId')),
  get('a customer id with a non-hex digit', `/v1/customers/${UNKNOWN.replace(/^./, 'g')}`, notUuid('customerId')),
  get('an unknown customer', `/v1/customers/${UNKNOWN}`, problem(404, 'customer-not-found', { detail: 'The customer does not exist.' })),
  get('the orders of a non-UUID customer', '/v1/customers/adatum/orders', notUuid('customerId')),
  get('the orders of an unknown customer', `/v1/customers/${UNKNOWN}/orders`, problem(404, 'customer-not-found')),
  get('the subscriptions of a non-UUID customer', '/v1/customers/adatum/subscriptions', notUuid('customerId')),
  get('the subscriptions of an unknown customer', `/v1/customers/${UNKNOWN}/subscriptions`, problem(404, 'customer-not-found')),
  get('an order id that is not a UUID', `${ORDERS}/order-1`, notUuid('orderId')),
  get('an unknown order', `${ORDERS}/${UNKNOWN}`, problem(404, 'order-not-found')),
  get('the order under an unknown customer', `/v1/customers/${UNKNOWN}/orders/{order}`, problem(404, 'order-not-found')),
  get('the order under another customer of the same partner', `${ENTERPRISE_ORDERS}/{order}`, problem(404, 'order-not-found')),
  get('lineItemNumber 0', `${LINKS}/0/activationlinks`, notPositive),
  get('lineItemNumber -1', `${LINKS}/-1/activationlinks`, notPositive),
  get('lineItemNumber abc', `${LINKS}/abc/activationlinks`, notPositive),
  get('lineItemNumber 1.5', `${LINKS}/1.5/activationlinks`, notPositive),
  get('lineItemNumber 01', `${LINKS}/01/activationlinks`, notPositive),
  get('lineItemNumber 1e3', `${LINKS}/1e3/activationlinks`, notPositive),
  get('lineItemNumber 99', `${LINKS}/99/activationlinks`, problem(404, 'line-item-not-found')),
  get('lineItemNumber 2 of a one-line order', `${LINKS}/2/activationlinks`, problem(404, 'line-item-not-found')),
  get('activation links of a non-UUID order', `${ORDERS}/order-1/lineitems/1/activationlinks`, notUuid('orderId')),
  get('activation links of an unknown order', `${ORDERS}/${UNKNOWN}/lineitems/1/activationlinks`, problem(404, 'order-not-found')),
  get('a subscription id that is not a UUID', `${SUBSCRIPTIONS}/crm`, notUuid('subscriptionId')),
  get('an unknown subscription', `${SUBSCRIPTIONS}/${UNKNOWN}`, problem(404, 'subscription-not-found')),
  get('the subscription under another customer of the same partner', '/v1/customers/{enterpriseCustomer}/subscriptions/{subscription}', problem(404, 'subscription-not-found')),
  get('an operation id that is not a UUID', `${SUBSCRIPTION}/operations/op-1`, notUuid('operationId')),
  get('an unknown operation', `${SUBSCRIPTION}/operations/${UNKNOWN}`, problem(404, 'operation-not-found')),
  get('an operation of an unknown subscription', `${SUBSCRIPTIONS}/${UNKNOWN}/operations/${UNKNOWN}`, problem(404, 'subscription-not-found')),
];

const cursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

/** Tokens and paths that reach PostgreSQL or Fastify's router in odd shapes. */
const EDGE_CASES: Case[] = [
  get('a continuationToken whose time is "1"', `${CUSTOMERS}?continuationToken=${cursor('1', UNKNOWN)}`, problem(400, 'invalid-continuation-token')),
  get('a continuationToken whose id is 36 dashes', `${CUSTOMERS}?continuationToken=${cursor('2026-01-01T00:00:00.000Z', '-'.repeat(36))}`, problem(400, 'invalid-continuation-token')),
  get('a path with a broken percent-encoding', '/v1/customers/%FF', problem(400, 'malformed-url')),
  get('a path parameter of 200 characters', `/v1/customers/${'a'.repeat(200)}`, problem(400, 'invalid-id')),
  get('a path parameter of 201 characters', `/v1/customers/${'a'.repeat(201)}`, problem(414, 'uri-too-long')),
];

describe('Partner API refuses bad input', () => {
  let system: TestSystem;
  let contoso: ApiClient;
  let standard: Purchase;
  let enterprise: Purchase;
  let before: { standard: Snapshot; enterprise: Snapshot };

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    contoso = await system.client('contoso');
    standard = await purchase(contoso, { quantity: 5 });
    enterprise = await purchase(contoso, { planId: 'enterprise', quantity: 20, termDuration: 'P1Y', billingCycle: 'annual' });
    before = { standard: await snapshot(contoso, standard.path), enterprise: await snapshot(contoso, enterprise.path) };
  });

  afterAll(() => system.close());

  const fill = (text: string): string =>
    text
      .replace(/\{customer\}/g, standard.customerId)
      .replace(/\{order\}/g, standard.orderId)
      .replace(/\{subscription\}/g, standard.subscriptionId)
      .replace(/\{enterpriseCustomer\}/g, enterprise.customerId)
      .replace(/\{enterpriseSubscription\}/g, enterprise.subscriptionId);

  async function expectRefused(c: Case): Promise<void> {
    const events = await system.eventCount();
    const response = await contoso.request(c.method, fill(c.path), { body: c.body, rawBody: c.rawBody, headers: c.headers });
    expectProblem(response, c.status);
    expect(response.body).toMatchObject(c.problem);
    if (c.errors) expect(response.body.errors).toEqual(c.errors);
    expect(await system.eventCount()).toBe(events);
    expect(await snapshot(contoso, standard.path)).toEqual(before.standard);
    expect(await snapshot(contoso, enterprise.path)).toEqual(before.enterprise);
  }

  describe.each(BODY_ENDPOINTS)('$endpoint: the body as a whole', (endpoint) => {
    it.each(titled(envelopeCases(endpoint)))('$title', expectRefused);
  });

  describe('POST /v1/customers', () => {
    it.each(titled([...CUSTOMER_CASES, ...keyCases(CUSTOMERS, { companyName: 'Keyed Ltd' })]))('$title', expectRefused);
  });

  describe('POST /v1/customers/{id}/orders', () => {
    it.each(titled([...ORDER_CASES, ...ORDER_PATH_CASES, ...keyCases(ORDERS, line({}))]))('$title', expectRefused);
  });

  describe('PATCH /v1/customers/{id}/subscriptions/{id}', () => {
    it.each(titled(PATCH_CASES))('$title', expectRefused);
  });

  describe.each(LISTS)('$list', ({ path }) => {
    it.each(titled([...queryCases(path), ...forgedTokenCases(path)]))('$title', expectRefused);
  });

  describe('ids in paths', () => {
    it.each(titled(PATH_CASES))('$title', expectRefused);
  });

  describe('odd tokens and paths', () => {
    it.each(titled(EDGE_CASES))('$title', expectRefused);
  });

  describe('the same calls, well formed', () => {
    it('are accepted, so the refusals above are about the input alone', async () => {
      const created = await contoso.post(CUSTOMERS, { body: BODY_ENDPOINTS[0].valid, headers: { 'idempotency-key': 'k'.repeat(255) } });
      expect(created.status).toBe(201);
      const fresh = await purchase(contoso);
      const ordered = await contoso.post(`/v1/customers/${fresh.customerId}/orders`, { body: BODY_ENDPOINTS[1].valid });
      expect(ordered.status).toBe(201);
      const renamed = await contoso.patch(fresh.path, {
        body: BODY_ENDPOINTS[2].valid,
        headers: { 'content-type': 'application/json; charset=utf-8', 'if-match': '"0"' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.friendlyName).toBe('Renamed');
      const links = await contoso.get(`/v1/customers/${fresh.customerId}/orders/${fresh.orderId}/lineitems/1/activationlinks`);
      expect(links.status).toBe(200);
    });

    it('count names in characters, not UTF-16 units: 100 and 128 emoji are names; 129 are not', async () => {
      const fresh = await purchase(contoso);
      for (const [count, status] of [
        [100, 200],
        [128, 200],
        [129, 400],
      ]) {
        const friendlyName = '😀'.repeat(count);
        const renamed = await contoso.patch(fresh.path, { body: { friendlyName } });
        expect({ count, status: renamed.status }).toEqual({ count, status });
        if (status === 200) expect(renamed.body.friendlyName).toBe(friendlyName);
        else expect(renamed.body.type).toBe('/problems/invalid-friendly-name');
      }
      const ordered = await contoso.post(`/v1/customers/${fresh.customerId}/orders`, { body: { lineItems: [lineItem({ friendlyName: '🚀'.repeat(128) })] } });
      expect(ordered.status).toBe(201);
      const customer = await contoso.post(CUSTOMERS, { body: { companyName: '🏢'.repeat(255) } });
      expect({ status: customer.status, companyName: customer.body.companyName }).toEqual({ status: 201, companyName: '🏢'.repeat(255) });
      // The body's coarse bound (MaxLength 1024, which counts code points too): 600 emoji are refused by the rule, not by it.
      const long = await contoso.post(CUSTOMERS, { body: { companyName: '🏢'.repeat(600) } });
      expect({ status: long.status, type: long.body.type }).toEqual({ status: 400, type: '/problems/invalid-company-name' });
    });
  });
});
