/** Runs the CLI in-process with captured output, for tests of exit codes and messages. */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ctx: CliContext = {
    stdout,
    stderr,
    env: options.env ?? { ...process.env },
    cwd: options.cwd ?? process.cwd(),
    exitCode: 0,
    signal: new AbortController().signal,
  };
  const exitCode = await main(['node', 'stackctl', ...args], ctx);
  return { exitCode, stdout: out, stderr: err };
}
