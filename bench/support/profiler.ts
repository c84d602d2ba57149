/**
 * CPU profiles of the bench process, one per measured slice, taken through the inspector rather
 * than --cpu-prof so that warm-up and set-up stay out of them. The load generator runs in another
 * process and is never in them. Open the files in Chrome DevTools.
 */
import { Session } from 'node:inspector/promises';
import { stamp, writeResult } from './results';

export interface Profiler {
  start(): Promise<void>;
  /** Ends the profile begun by start() and writes it as `<benchmark>-<opened>-<label>.cpuprofile`; returns its path. */
  stop(label: string): Promise<string>;
  close(): void;
}

export async function openProfiler(benchmark: string): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  const started = stamp(new Date().toISOString());
  return {
    start: () => session.post('Profiler.start'),
    async stop(label: string): Promise<string> {
      const { profile } = await session.post('Profiler.stop');
      return writeResult(benchmark, `${started}-${label}`, 'cpuprofile', JSON.stringify(profile));
    },
    close: () => session.disconnect(),
  };
}
