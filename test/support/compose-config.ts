/**
 * `docker-compose … config` for many projects through one Python process (compose-config-batch.py runs
 * docker-compose 1.29's own CLI entry point per request), instead of a process per call that spends
 * half a second importing compose. Requests are answered one at a time, in order.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BATCH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compose-config-batch.py');

export interface ComposeRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** The Python docker-compose runs with: the Debian package's interpreter, whatever `python3` is first on PATH. */
const PYTHON = '/usr/bin/python3';

export class ComposeCli {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly waiting: Array<(run: ComposeRun) => void> = [];
  private queue: Promise<unknown> = Promise.resolve();

  /** Runs `docker-compose <args>` in `cwd` with only PATH and `env` in its environment. */
  run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<ComposeRun> {
    const next = this.queue.then(() => this.ask({ args, cwd, env }));
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private ask(request: { args: string[]; cwd: string; env: Record<string, string> }): Promise<ComposeRun> {
    const child = this.start();
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`compose-config-batch.py exited (${String(code)}) before answering`));
      child.once('exit', onExit);
      this.waiting.push((run) => {
        child.off('exit', onExit);
        resolve(run);
      });
      child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(PYTHON, [BATCH], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      if (this.child === child) this.child = undefined;
      if (code !== 0 && stderr) console.error(`compose-config-batch.py: ${stderr}`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line) as ComposeRun));
    child.unref();
    return (this.child = child);
  }
}
