/**
 * The parent's side of a load generator: a child process, so that neither autocannon nor what it
 * does per request shares the event loop of the servers under load, driven over IPC with one
 * request per run and one result back. The child's side is serveLoadRuns in load-generator.ts.
 */
import { ChildProcess, fork } from 'node:child_process';

export class LoadProcess<Request, Result> {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

  /** `script`: the absolute path of a TypeScript file that calls serveLoadRuns. */
  constructor(script: string) {
    // Only the TypeScript loader: a --cpu-prof or --inspect of the parent must not follow it.
    this.child = fork(script, [], { execArgv: ['-r', '@swc-node/register'] });
    this.child.on('message', (message: { id: number; result?: Result; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited with ${code}`));
      this.pending.clear();
    });
  }

  run(request: Request): Promise<Result> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request });
    });
  }

  close(): void {
    this.child.kill();
  }
}
