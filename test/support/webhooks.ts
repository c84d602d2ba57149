import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { ApiResponse } from './api-client';

/** Fabrikam's callback signing secret in the development catalog. */
export const FABRIKAM_SECRET = 'whsec_ZmFicmlrYW0tY2FsbGJhY2stc2VjcmV0LTAwMQ==';

export type CallbackBody =
  | { type: 'LicensesAssigned'; subscriptionId: string; data: { assignedSeats: number } }
  | { type: 'ActionRequired'; subscriptionId: string; data: { reason: string; url: string; blockedOperations: string[] } }
  | { type: 'ActionResolved'; subscriptionId: string; data: Record<string, never> };

export interface CallbackOptions {
  publisherId?: string;
  /** `webhook-id`; a fresh one by default. */
  id?: string;
  /** When it was signed; now by default. */
  timestamp?: Date;
  /** The secret it is signed with; Fabrikam's by default. */
  secret?: string;
  /** Signed over this text instead of the body that is sent (a body tampered with on the way). */
  signedBody?: string;
  /** Sent instead of the JSON of the body (signed as sent unless signedBody says otherwise). */
  rawBody?: string;
  /** Replaces or removes (undefined) headers after signing. */
  headers?: Record<string, string | undefined>;
}

/** A callback as a publisher would send it: headers and the exact body text. */
export interface SignedCallback {
  path: string;
  id: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs a callback like a publisher's Standard Webhooks library would. */
export function signCallback(body: CallbackBody | object, options: CallbackOptions = {}): SignedCallback {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const text = options.rawBody ?? JSON.stringify(body);
  const signature = new Webhook(options.secret ?? FABRIKAM_SECRET).sign(id, timestamp, options.signedBody ?? text);
  const headers: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
    ...options.headers,
  };
  const defined = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { path: `/webhooks/publishers/${options.publisherId ?? 'fabrikam'}`, id, body: text, headers: defined };
}

/** Posts a signed callback; no bearer token, as publishers send them. */
export async function deliver(baseUrl: string, callback: SignedCallback): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${callback.path}`, { method: 'POST', headers: callback.headers, body: callback.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Signs and posts in one go. */
export function sendCallback(baseUrl: string, body: CallbackBody | object, options: CallbackOptions = {}): Promise<ApiResponse> {
  return deliver(baseUrl, signCallback(body, options));
}

export const licensesAssigned = (subscriptionId: string, assignedSeats: number): CallbackBody => ({
  type: 'LicensesAssigned',
  subscriptionId,
  data: { assignedSeats },
});

export const actionRequired = (subscriptionId: string, blockedOperations: string[], reason = 'Finish the tenant setup first.', url = 'https://fabrikam.example/setup'): CallbackBody => ({
  type: 'ActionRequired',
  subscriptionId,
  data: { reason, url, blockedOperations },
});

export const actionResolved = (subscriptionId: string): CallbackBody => ({ type: 'ActionResolved', subscriptionId, data: {} });
