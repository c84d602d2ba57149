/**
 * The load generator, in its own process so that neither its HTTP client nor its signing shares
 * the receivers' event loop. The parent sends one LoadRequest per run over IPC and gets one
 * LoadResult back. Every request is a callback signed here, as a publisher would sign it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { LoadRun, runAutocannon, serveLoadRuns } from '../support/load-generator';

export interface LoadRequest {
  baseUrl: string;
  publisherId: string;
  /** The publisher's Standard Webhooks secret, `whsec_<base64 key>`. */
  secret: string;
  /** Subscriptions the callbacks are about, taken in turn. */
  subscriptionIds: string[];
  connections: number;
  durationSeconds: number;
}

export interface LoadResult extends LoadRun {
  /** Answered 202. */
  accepted: number;
  /** This process's CPU during the run: whether the load generator itself was the limit. */
  cpu: NodeJS.CpuUsage;
}

/** Across runs, so that no reason is ever sent twice. */
let sent = 0;

/** Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the decoded secret. */
function signer(secret: string): (id: string, timestamp: number, body: string) => string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return (id, timestamp, body) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * An ActionRequired with a reason never sent before, so that each one, applied, changes the
 * subscription's action and appends a PublisherActionRequired. Subscriptions are taken in turn: with
 * many more of them than connections, two callbacks on one subscription are always queued in the
 * order they were signed, and the worker never finds one superseded by a later one.
 */
function nextCallback(subscriptionIds: string[]): string {
  const n = ++sent;
  return JSON.stringify({
    type: 'ActionRequired',
    subscriptionId: subscriptionIds[n % subscriptionIds.length],
    data: { reason: `Finish the tenant setup (bench callback ${n}).`, url: 'https://fabrikam.example/setup', blockedOperations: ['cancel'] },
  });
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const sign = signer(request.secret);
  const path = `/webhooks/publishers/${request.publisherId}`;
  const cpuBefore = process.cpuUsage();
  const { run: measured } = await runAutocannon(
    {
      url: request.baseUrl,
      connections: request.connections,
      duration: request.durationSeconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            // A fresh webhook-id each time, so that every request queues a job of its own.
            const id = `msg_${randomUUID()}`;
            const timestamp = Math.floor(Date.now() / 1000);
            const body = nextCallback(request.subscriptionIds);
            const headers = {
              ...req.headers,
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': sign(id, timestamp, body),
            };
            return { ...req, path, body, headers };
          },
        },
      ],
    },
    (status) => status === 202,
  );
  return { ...measured, accepted: measured.statusCodes['202'] ?? 0, cpu: process.cpuUsage(cpuBefore) };
}

serveLoadRuns(run);
