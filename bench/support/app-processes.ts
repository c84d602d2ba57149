/**
 * The api and the worker as processes of their own, run from the TypeScript sources through
 * `@swc-node/register` (so that no build of `dist/` shared with other work is needed), each with its
 * log written straight to a file rather than to the bench's terminal.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { sleep } from './run';

const ROOT = resolve(__dirname, '../..');
export const ENTRIES = { api: 'apps/api/src/main.ts', worker: 'apps/worker/src/main.ts' } as const;

export class AppProcesses {
  private readonly children = new Map<ChildProcess, string>();
  private stopping = false;

  /** Starts `entry` with `vars` added to the environment; `nodeOptions` go before it (`--cpu-prof`, say). */
  start(name: keyof typeof ENTRIES, vars: Record<string, string>, logFile: string, nodeOptions: string[] = []): ChildProcess {
    // The file itself, not a pipe through this process: a pipe the bench drains late would block the child's logger.
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, [...nodeOptions, '-r', '@swc-node/register', ENTRIES[name]], {
      cwd: ROOT,
      env: { ...process.env, ...vars },
      stdio: ['ignore', log, 'inherit'],
    });
    closeSync(log);
    child.on('exit', (code, signal) => {
      this.children.delete(child);
      if (!this.stopping) console.error(`${name} exited (${code ?? signal})`);
    });
    this.children.set(child, name);
    return child;
  }

  /** One process, gracefully (SIGTERM, so that a CPU profile is written), killed after 15 s. */
  async stopOne(child: ChildProcess): Promise<void> {
    this.stopping = true;
    try {
      await stopGracefully(child);
    } finally {
      this.stopping = false;
    }
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children.keys()].map(stopGracefully));
    this.stopping = false;
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within 15 s. */
export function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Until `read` gives a value `done` accepts; fails after `timeoutMs` saying what it waited for. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

export function waitForHealth(baseUrl: string, timeoutMs = 120_000): Promise<number> {
  return until(
    () => fetch(`${baseUrl}/health`).then((r) => r.status, () => 0),
    (status) => status === 200,
    'the api to start',
    timeoutMs,
    200,
  );
}
