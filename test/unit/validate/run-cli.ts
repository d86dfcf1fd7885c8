/** Runs the CLI in-process with captured output (no child process, so unit tests stay fast). */
import { Writable } from 'node:stream';
import { main } from '../../../src/cli/main.js';
import type { CliContext } from '../../../src/cli/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const ctx: CliContext = { stdout, stderr, env: options.env ?? {}, cwd: options.cwd, exitCode: 0, signal: new AbortController().signal };
  const code = await main(['node', 'stackctl', ...args], ctx);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
