/** What a command needs from the process, injected so commands are testable in-process. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by a command to report its outcome: 0 ok, 1 problems found, 2 usage error. */
  exitCode: number;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}

export function createCliContext(signal: AbortSignal): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), exitCode: 0, signal };
}
