/** Where the benchmarks leave what they measured: bench/results/, git-ignored, one file per run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const resultsDir = resolve(__dirname, '../results');

/** An ISO time usable in a file name on every system: `2026-11-23T22-42-27-235Z`. */
export function stamp(iso: string): string {
  return iso.replace(/[:.]/g, '-');
}

/** Writes `<benchmark>-<stamp>.<extension>` into bench/results/ and returns its path. */
export function writeResult(benchmark: string, stamped: string, extension: 'json' | 'cpuprofile', content: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${benchmark}-${stamped}.${extension}`);
  writeFileSync(file, content);
  return file;
}

/** A run's figures, as `<benchmark>-<at>.json`. */
export function writeResults(benchmark: string, at: string, results: unknown): string {
  return writeResult(benchmark, stamp(at), 'json', `${JSON.stringify(results, null, 2)}\n`);
}
