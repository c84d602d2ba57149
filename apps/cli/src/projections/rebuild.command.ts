import { rebuildProjections, RebuildReport, RowDifference } from '@mfh/read-models';
import { CliContext, CliExit, count, EXIT, rate, seconds, write } from '../cli-context';
import { progressBar } from '../progress';

export interface RebuildOptions {
  dryRun?: boolean;
  force?: boolean;
  keepOld?: boolean;
  json?: boolean;
  progress?: boolean;
  pageSize: number;
}

/** `projections rebuild [--dry-run] [--force] [--keep-old]`; exit 1 when the rebuilt rows differ from the live ones. */
export async function rebuild(context: CliContext, options: RebuildOptions): Promise<void> {
  if (options.dryRun && (options.force || options.keepOld)) throw new CliExit(EXIT.usage, '--dry-run never swaps: drop --force and --keep-old');
  const config = context.settings();
  const store = await context.eventStore();
  const total = options.progress || context.io.stderr.isTTY ? await context.countEvents() : null;
  const bar = progressBar(context.io, { label: 'rebuild', total, force: options.progress });
  let report: RebuildReport;
  try {
    report = await rebuildProjections({
      store,
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      dryRun: options.dryRun,
      force: options.force,
      keepReplaced: options.keepOld,
      pageSize: options.pageSize,
      onProgress: ({ phase, events }) => bar.update(events, phase === 'build' ? '' : phase),
    });
  } finally {
    bar.stop();
  }
  await write(context.io.stdout, options.json ? `${JSON.stringify(report)}\n` : describe(report, options));
  if (!report.identical) throw new CliExit(EXIT.failed);
}

export function describe(report: RebuildReport, options: Pick<RebuildOptions, 'dryRun'> = {}): string {
  const lines = [
    `Rebuilt ${report.tables.length} tables from ${count(report.events)} events in ${seconds(report.buildMs)} (${rate(report.events, report.buildMs)})`,
    ...checkpointLines(report),
    '',
  ];
  const header = ['table', 'live rows', 'rebuilt rows', 'differences', 'result'];
  const rows = report.tables.map((t) => [t.table, count(t.liveRows), count(t.rebuiltRows), count(t.differences), t.differences === 0 ? 'identical' : 'DIFFERENT']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
  for (const table of report.tables.filter((t) => t.samples.length > 0)) {
    lines.push('', `${table.table}: ${count(table.differences)} differing row${table.differences === 1 ? '' : 's'}${table.differences > table.samples.length ? `, first ${table.samples.length}` : ''}:`);
    for (const sample of table.samples) lines.push(...describeDifference(sample));
  }
  lines.push('');
  if (report.swapped) {
    lines.push(
      `Swapped: the rebuilt tables are live${report.identical ? '' : ' (forced, although rows differed)'}; ` +
        (report.replacedSchema ? `the replaced ones are kept in schema ${report.replacedSchema}.` : 'the replaced ones are dropped.') +
        ` Projections paused for ${seconds(report.lockedMs)}.`,
    );
  } else if (options.dryRun) {
    lines.push(`Dry run: nothing swapped. ${report.identical ? 'The rebuilt rows are identical to the live ones.' : 'The rows differ.'}`);
  } else {
    lines.push('Not swapped: the rebuilt rows differ from the live ones (--force swaps anyway).');
  }
  return `${lines.join('\n')}\n`;
}

/** Where the two sides were compared: one line when every projection met at the same place with nothing to catch up. */
function checkpointLines(report: RebuildReport): string[] {
  const [first] = report.checkpoints;
  const plain = report.checkpoints.every((c) => c.position === first?.position && c.rebuiltCaughtUp === 0 && c.liveCaughtUp === 0);
  if (plain) return [`Compared with the live tables at position ${first?.position ?? 'start'}`];
  return report.checkpoints.map(
    (c) =>
      `  ${c.projection}: compared at ${c.position ?? 'start'}` +
      (c.rebuiltCaughtUp > 0 ? `, rebuild caught up ${count(c.rebuiltCaughtUp)} events` : '') +
      (c.liveCaughtUp > 0 ? `, live tables caught up ${count(c.liveCaughtUp)} events (the worker was behind)` : ''),
  );
}

/** The key, then each column (or first-level field of a JSON column) that differs, live → rebuilt. */
function describeDifference(sample: RowDifference): string[] {
  if (!sample.live) return [`  ${sample.key}: only in the rebuilt table`];
  if (!sample.rebuilt) return [`  ${sample.key}: only in the live table`];
  const lines = [`  ${sample.key}:`];
  for (const [path, live, rebuilt] of differingFields(sample.live, sample.rebuilt)) {
    lines.push(`    ${path}: live ${JSON.stringify(live)}, rebuilt ${JSON.stringify(rebuilt)}`);
  }
  return lines;
}

function differingFields(live: Record<string, unknown>, rebuilt: Record<string, unknown>, prefix = '', depth = 0): [string, unknown, unknown][] {
  const found: [string, unknown, unknown][] = [];
  for (const key of [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])].sort()) {
    const [a, b] = [live[key], rebuilt[key]];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const objects = depth < 1 && isObject(a) && isObject(b);
    if (objects) found.push(...differingFields(a, b, `${prefix}${key}.`, depth + 1));
    else found.push([`${prefix}${key}`, a, b]);
  }
  return found;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
