/** The arithmetic behind the printed and saved figures, the same in every benchmark so that they compare. */

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** p50, p90, p99 and max, in the unit of `values`, to 0.1; all 0 when there are none. */
export function percentiles(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)], 1));
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

/** User and system CPU together, in milliseconds (process.cpuUsage() counts microseconds). */
export function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

export function addCpu(total: NodeJS.CpuUsage, delta: NodeJS.CpuUsage): void {
  total.user += delta.user;
  total.system += delta.system;
}
