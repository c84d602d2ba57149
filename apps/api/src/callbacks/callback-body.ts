import type { PublisherCallback } from '@mfh/messaging';
import { BLOCKABLE_OPERATIONS, BlockableOperation, characters } from '@mfh/domain';
import type { FieldProblem } from '../http/problem';
import { ValidationProblemException } from '../http/validation';

export const CALLBACK_TYPES = ['LicensesAssigned', 'ActionRequired', 'ActionResolved'] as const;
type CallbackType = (typeof CALLBACK_TYPES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_REASON = 1000;
const MAX_URL = 2048;
const MAX_BLOCKED = 20;
/** Surrogates without their pair: valid JSON, but PostgreSQL's jsonb cannot store them (nor NUL). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Members the shape does not know, each as its own problem (the rest of the API refuses them too). */
function unknownMembers(value: Json, known: readonly string[], pointer: string): FieldProblem[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({ pointer: `${pointer}/${key}`, detail: `property ${key} should not exist` }));
}

function assignedSeatsProblems(data: Json): FieldProblem[] {
  const seats = data.assignedSeats;
  if (typeof seats === 'number' && Number.isSafeInteger(seats) && seats >= 1) return [];
  return [{ pointer: '/data/assignedSeats', detail: 'assignedSeats must be a whole number of at least 1' }];
}

function httpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL || unstorable(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function actionProblems(data: Json): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const reason = data.reason;
  if (typeof reason !== 'string' || reason.trim().length < 1 || characters(reason) > MAX_REASON || unstorable(reason)) {
    problems.push({ pointer: '/data/reason', detail: `reason must be text of 1 to ${MAX_REASON} characters (not only spaces, no NUL)` });
  }
  if (!httpUrl(data.url)) {
    problems.push({ pointer: '/data/url', detail: `url must be an absolute http or https URL of at most ${MAX_URL} characters` });
  }
  const blocked = data.blockedOperations;
  if (!Array.isArray(blocked) || blocked.length > MAX_BLOCKED) {
    problems.push({ pointer: '/data/blockedOperations', detail: `blockedOperations must be an array of at most ${MAX_BLOCKED} operation names` });
  } else {
    blocked.forEach((operation: unknown, index) => {
      if (!BLOCKABLE_OPERATIONS.includes(operation as BlockableOperation)) {
        problems.push({ pointer: `/data/blockedOperations/${index}`, detail: `each blocked operation must be one of: ${BLOCKABLE_OPERATIONS.join(', ')}` });
      }
    });
  }
  return problems;
}

const DATA_MEMBERS: Record<CallbackType, readonly string[]> = {
  LicensesAssigned: ['assignedSeats'],
  ActionRequired: ['reason', 'url', 'blockedOperations'],
  ActionResolved: [],
};

function dataProblems(type: CallbackType, data: Json): FieldProblem[] {
  const own = type === 'LicensesAssigned' ? assignedSeatsProblems(data) : type === 'ActionRequired' ? actionProblems(data) : [];
  return [...own, ...unknownMembers(data, DATA_MEMBERS[type], '/data')];
}

/**
 * A callback body `{type, subscriptionId, data}` with the data its type needs, or a 400 that lists
 * every problem with its JSON pointer. Only called once the signature holds.
 */
export function parseCallback(body: unknown): PublisherCallback {
  if (!isObject(body)) throw new ValidationProblemException([{ pointer: '', detail: 'The body must be a JSON object {type, subscriptionId, data}.' }]);
  const problems = unknownMembers(body, ['type', 'subscriptionId', 'data'], '');
  const type = CALLBACK_TYPES.find((known) => known === body.type);
  if (!type) problems.push({ pointer: '/type', detail: `type must be one of: ${CALLBACK_TYPES.join(', ')}` });
  if (typeof body.subscriptionId !== 'string' || !UUID.test(body.subscriptionId)) {
    problems.push({ pointer: '/subscriptionId', detail: 'subscriptionId must be a UUID' });
  }
  if (!isObject(body.data)) problems.push({ pointer: '/data', detail: 'data must be a JSON object' });
  else if (type) problems.push(...dataProblems(type, body.data));
  if (problems.length > 0) throw new ValidationProblemException(problems);
  return toCallback(type!, (body.subscriptionId as string).toLowerCase(), body.data as Json);
}

/** Only the validated members, so nothing unchecked travels on. */
function toCallback(type: CallbackType, subscriptionId: string, data: Json): PublisherCallback {
  switch (type) {
    case 'LicensesAssigned':
      return { type, subscriptionId, data: { assignedSeats: data.assignedSeats as number } };
    case 'ActionRequired':
      return {
        type,
        subscriptionId,
        data: { reason: data.reason as string, url: data.url as string, blockedOperations: data.blockedOperations as BlockableOperation[] },
      };
    case 'ActionResolved':
      return { type, subscriptionId, data: {} };
  }
}
