/**
 * The top self-time functions and packages of `.cpuprofile` files (Chrome DevTools' format, as the
 * benchmarks' profiler writes them), summed over the files given:
 *
 *   node -r @swc-node/register bench/support/profile-summary.ts bench/results/reads-*.cpuprofile
 *
 * Each sample counts as the profile's mean sampling interval: its time delta would also count the
 * time the process waited for a core (on a loaded machine, mostly in whatever syscall gave the core
 * up) and the profiler's own start and stop. Busy time excludes the idle pseudo-frames; the garbage
 * collector is printed apart too.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Where a frame's code lives: a package under node_modules, Node itself, or this project's folder. */
export function packageOf(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + 'node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const project = /\/(apps|libs|bench|test)\/([^/]+)\//.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
}

/** Self time in ms per function and per package, and the busy total, over the profiles. */
export function summarise(profiles: CpuProfile[]) {
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let gc = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const ms = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    profile.samples.forEach((id) => {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      if (functionName === '(idle)' || functionName === '(program)') return void (idle += ms);
      if (functionName === '(garbage collector)') gc += ms;
      busy += ms;
      const where = url === '' ? '' : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apps|libs|bench)\//, '$1/')}:${lineNumber + 1}`;
      const name = `${functionName || '(anonymous)'}${where}`;
      functions.set(name, (functions.get(name) ?? 0) + ms);
      const pkg = functionName === '(garbage collector)' ? '(gc)' : packageOf(url);
      packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    });
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy), idleMs: Math.round(idle), gcMs: Math.round(gc), functions: top(functions, 25), packages: top(packages, 15) };
}

export type ProfileSummary = ReturnType<typeof summarise>;

/** The summary of `.cpuprofile` files, read from disk. */
export function summariseFiles(files: readonly string[]): ProfileSummary {
  return summarise(files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile));
}

export function printSummary(summary: ProfileSummary, top = 25, indent = ''): void {
  const total = summary.busyMs + summary.idleMs;
  console.log(`${indent}busy ${summary.busyMs} ms of ${total} ms profiled (${Math.round((summary.busyMs / Math.max(1, total)) * 100)} %), gc ${summary.gcMs} ms`);
  console.log(`${indent}self time by package`);
  for (const { name, ms, share } of summary.packages.slice(0, top)) console.log(`${indent}${String(share).padStart(5)} %  ${String(ms).padStart(6)} ms  ${name}`);
  console.log(`${indent}self time by function`);
  for (const { name, ms, share } of summary.functions.slice(0, top)) console.log(`${indent}${String(share).padStart(5)} %  ${String(ms).padStart(6)} ms  ${name}`);
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('name one or more .cpuprofile files');
  printSummary(summariseFiles(files));
}
