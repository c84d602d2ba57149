/**
 * The parent's side of a child process the bench drives over IPC (a load generator, a sink, a server
 * under load): a process of its own, so that neither autocannon nor what the child does per request
 * shares the event loop of what is measured; one message per request, one answer back by its id.
 * The load generators' side is serveLoadRuns in load-generator.ts.
 */
import { ChildProcess, fork, StdioOptions } from 'node:child_process';

export interface ChildOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** For errors: what the child is. */
  name?: string;
}

export class LoadProcess<Request, Result> {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();

  /** `script`: the absolute path of a TypeScript file that answers the messages. */
  constructor(script: string, options: ChildOptions = {}) {
    // Only the TypeScript loader: a --cpu-prof or --inspect of the parent must not follow it.
    this.child = fork(script, options.args ?? [], { execArgv: ['-r', '@swc-node/register'], env: options.env, stdio: options.stdio });
    this.child.on('message', (message: { id: number; result?: Result; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${options.name ?? 'load generator'} exited with ${code}`));
      this.pending.clear();
    });
  }

  run(request: Request): Promise<Result> {
    const id = ++this.next;
    const answer = this.answer(id);
    this.child.send({ id, request });
    return answer;
  }

  /** The child's message with this id, asked for or not (0: what a child sends once it is ready). */
  answer(id: number): Promise<Result> {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  close(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}
