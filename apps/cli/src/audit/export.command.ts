import { StreamAuditFeed, StreamAuditFeedHandler } from '@mfh/application';
import { isDomainError } from '@mfh/domain';
import { GlobalPosition, parsePosition } from '@mfh/event-store';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliContext, CliExit, count, EXIT, position, rate, seconds, write } from '../cli-context';
import { progressBar } from '../progress';
import { exportedEvent } from './history.command';

export interface ExportOptions {
  out: string;
  after?: string;
  progress?: boolean;
  pageSize: number;
}

/**
 * `audit export --out file.ndjson [--after <position>]`: the global log, one event per line, in
 * order. Written to `<file>.partial` through a pipeline (so a slow disk holds the reads back) and
 * renamed when complete; `--out -` writes to stdout.
 */
export async function exportLog(context: CliContext, options: ExportOptions): Promise<void> {
  let after: GlobalPosition | null = null;
  if (options.after !== undefined && options.after !== '0') {
    after = parsePosition(options.after);
    if (!after) throw new CliExit(EXIT.usage, `--after must be a position as <commit>-<prepare>, got ${options.after}`);
  }
  const store = await context.eventStore();
  const pages = await new StreamAuditFeedHandler(store)
    .execute(new StreamAuditFeed(options.after ?? null, null, options.pageSize, true))
    .catch((error: unknown) => {
      if (isDomainError(error) && error.code === 'invalid-position') throw new CliExit(EXIT.usage, `--after ${options.after} is not the position of an event of this log`);
      throw error;
    });
  const total = options.progress || context.io.stderr.isTTY ? await context.countEvents(after) : null;
  const bar = progressBar(context.io, { label: 'export', total, force: options.progress });
  const started = performance.now();
  let written = 0;
  let last: GlobalPosition | null = after;

  async function* lines(): AsyncGenerator<string> {
    for await (const page of pages) {
      let chunk = '';
      for (const event of page) chunk += `${JSON.stringify(exportedEvent(event))}\n`;
      written += page.length;
      last = page[page.length - 1].position;
      bar.update(written);
      yield chunk;
    }
  }

  try {
    if (options.out === '-') {
      await pipeline(Readable.from(lines()), context.io.stdout, { end: false });
    } else {
      const partial = `${options.out}.partial`;
      try {
        await pipeline(Readable.from(lines()), createWriteStream(partial));
        await rename(partial, options.out);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    }
  } finally {
    bar.stop();
  }
  const ms = performance.now() - started;
  const where = options.out === '-' ? 'stdout' : options.out;
  await write(
    context.io.stderr,
    `Exported ${count(written)} events to ${where} in ${seconds(ms)} (${rate(written, ms)}); last position ${position(last)}\n`,
  );
}
