import { SingleBar } from 'cli-progress';
import { performance } from 'node:perf_hooks';
import type { CliIo } from './cli-context';

export interface Progress {
  /** Sets the count done so far, with an optional word on what is happening. */
  update(value: number, stage?: string): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr, so stdout stays clean for data: shown when stderr is a terminal, or
 * when asked for (`--progress`); without a known total it counts instead of filling a bar.
 */
export function progressBar(io: CliIo, options: { label: string; total: number | null; unit?: string; force?: boolean }): Progress {
  const visible = options.force === true || io.stderr.isTTY === true;
  if (!visible) return NONE;
  const unit = options.unit ?? 'events';
  // Nothing counted (EventStoreDB, or an empty log): count up instead of filling a bar towards 0.
  const known = options.total !== null && options.total > 0;
  const format =
    !known
      ? `${options.label} {value} ${unit} | {speed} ${unit}/s | {duration_formatted} {stage}`
      : `${options.label} [{bar}] {percentage}% | {value}/{total} ${unit} | {speed} ${unit}/s | ETA {eta_formatted} {stage}`;
  const bar = new SingleBar({
    format,
    stream: io.stderr,
    noTTYOutput: options.force === true,
    notTTYSchedule: 1000,
    hideCursor: io.stderr.isTTY === true,
    etaBuffer: 50,
    fps: 5,
  });
  const started = performance.now();
  let total = options.total ?? 0;
  bar.start(total, 0, { speed: '0', stage: '' });
  return {
    update(value, stage = '') {
      // Events appended since the count was taken: grow the total rather than run past 100 %.
      if (known && value > total) bar.setTotal((total = value));
      const elapsed = (performance.now() - started) / 1000;
      bar.update(value, { speed: elapsed > 0 ? Math.round(value / elapsed).toLocaleString('en-US') : '0', stage });
    },
    stop: () => bar.stop(),
  };
}
