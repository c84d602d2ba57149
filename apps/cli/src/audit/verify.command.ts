import { VerifyLog, VerifyLogHandler, VerifySubscription, VerifySubscriptionHandler } from '@mfh/application';
import { subscriptionStream } from '@mfh/domain';
import type { ChainBreak } from '@mfh/event-store';
import type { LogVerification } from '@mfh/read-models';
import { performance } from 'node:perf_hooks';
import { CliContext, CliExit, count, EXIT, rate, seconds, write } from '../cli-context';
import { progressBar } from '../progress';
import { parseSubscriptionId, unknownSubscription } from './history.command';

export interface VerifyOptions {
  all?: boolean;
  json?: boolean;
  progress?: boolean;
  pageSize: number;
}

/** `audit verify <subscriptionId>` or `audit verify --all`: recomputes hash chains; exit 1 when one is broken. */
export async function verify(context: CliContext, subscriptionId: string | undefined, options: VerifyOptions): Promise<void> {
  if (Boolean(options.all) === (subscriptionId !== undefined)) throw new CliExit(EXIT.usage, 'Give either a subscription id or --all');
  if (subscriptionId !== undefined) return verifyOne(context, parseSubscriptionId(subscriptionId), options);
  return verifyAll(context, options);
}

async function verifyOne(context: CliContext, id: string, options: VerifyOptions): Promise<void> {
  const handler = new VerifySubscriptionHandler(await context.eventStore(), context.subscriptions());
  const result = await handler.execute(new VerifySubscription(id)).catch(unknownSubscription(id));
  const { storedEvents, ...verification } = result;
  const streamId = subscriptionStream(id);
  const { stdout } = context.io;
  if (options.json) {
    await write(stdout, `${JSON.stringify({ streamId, ...verification })}\n`);
  } else if (result.valid) {
    await write(stdout, `${streamId}: valid, ${count(result.events)} events\n`);
  } else {
    await write(stdout, `${streamId}: BROKEN at revision ${result.brokenAtRevision} (${result.reason}), ${count(storedEvents)} events\n`);
  }
  if (!result.valid) throw new CliExit(EXIT.failed);
}

/** One pass over the global log; every stream's chain is checked as its events go by, then every subscription's tail. */
async function verifyAll(context: CliContext, options: VerifyOptions): Promise<void> {
  const total = options.progress || context.io.stderr.isTTY ? await context.countEvents() : null;
  const bar = progressBar(context.io, { label: 'verify', total, force: options.progress });
  const started = performance.now();
  let checked: LogVerification;
  try {
    const handler = new VerifyLogHandler(await context.eventStore(), context.subscriptions());
    checked = await handler.execute(new VerifyLog(options.pageSize, (read) => bar.update(read)));
  } finally {
    bar.stop();
  }
  const ms = performance.now() - started;
  const { verifier, events: read } = checked;
  const breaks = verifier.breaks;
  const { stdout } = context.io;
  if (options.json) {
    await write(stdout, `${JSON.stringify({ valid: breaks.length === 0, streams: verifier.streams, events: read, broken: breaks, ms: Math.round(ms) })}\n`);
  } else {
    await write(stdout, summary(verifier.streams, read, breaks, ms));
  }
  if (breaks.length > 0) throw new CliExit(EXIT.failed);
}

function summary(streams: number, events: number, breaks: readonly ChainBreak[], ms: number): string {
  const lines = [
    `Verified ${count(events)} events in ${count(streams)} streams in ${seconds(ms)} (${rate(events, ms)})`,
    breaks.length === 0 ? 'Every chain is intact.' : `${count(breaks.length)} broken stream${breaks.length === 1 ? '' : 's'}:`,
  ];
  const width = Math.max(0, ...breaks.map((b) => b.streamId.length));
  for (const b of breaks) lines.push(`  ${b.streamId.padEnd(width)}  revision ${b.revision}  ${b.reason}`);
  return `${lines.join('\n')}\n`;
}
