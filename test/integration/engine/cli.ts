/**
 * Helpers of the engine integration tests: the real CLI as a child process (bin/stackctl.js, built
 * once by test/support/global-setup.ts), free host ports, the example stack's environment with fresh
 * secrets, the docker CLI.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { exampleSecrets, exampleVariables } from '../../../bench/example-env.mjs';
import { freePort } from '../../../bench/free-port.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'bin/stackctl.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function stackctl(args: string[], env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<CliResult> {
  const started = performance.now();
  const result = await execa('node', [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, NO_COLOR: '1' },
    extendEnv: true,
    reject: false,
    timeout: options.timeoutMs ?? 600_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms: performance.now() - started };
}

/** The CLI as a running child (for signals). */
export function spawnStackctl(args: string[], env: Record<string, string>): ResultPromise {
  return execa('node', [BIN, ...args], { cwd: ROOT, env: { ...env, NO_COLOR: '1' }, extendEnv: true, reject: false, buffer: true });
}

/** A free loopback port for a stack's pinned port, below the engine's ephemeral range (bench/free-port.mjs says why). */
export { freePort };

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** The example stack's secrets and settings, fresh each call, and no host port variable. */
export { exampleSecrets };

/** Environment for the example stack: its own project name, fresh secrets, free host ports. */
export async function exampleEnv(project: string): Promise<Record<string, string>> {
  const env: Record<string, string> = { STACKCTL_PROJECT_NAME: project, ...exampleVariables() };
  for (const name of Object.keys(env)) if (name.endsWith('_PORT')) env[name] = String(await freePort());
  return env;
}

export async function docker(args: string[]): Promise<string> {
  const result = await execa('docker', args, { reject: false });
  return String(result.stdout).trim();
}

export async function dockerLines(args: string[]): Promise<string[]> {
  return (await docker(args)).split('\n').filter((line) => line.trim() !== '');
}

/** Everything carrying the stack's label, and each further label given (what `down -v` must leave empty). */
export async function labelled(stack: string, ...labels: string[]): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const filters = [`label=io.stackctl.stack=${stack}`, ...labels.map((label) => `label=${label}`)].flatMap((filter) => ['--filter', filter]);
  return {
    containers: await dockerLines(['ps', '-a', ...filters, '--format', '{{.Names}}']),
    networks: await dockerLines(['network', 'ls', ...filters, '--format', '{{.Name}}']),
    volumes: await dockerLines(['volume', 'ls', ...filters, '--format', '{{.Name}}']),
  };
}

/** Removes whatever the test left of the stack (containers, networks, volumes), by label. */
export async function purge(stack: string): Promise<void> {
  const left = await labelled(stack);
  if (left.containers.length > 0) await docker(['rm', '-f', '-v', ...left.containers]);
  if (left.networks.length > 0) await docker(['network', 'rm', ...left.networks]);
  if (left.volumes.length > 0) await docker(['volume', 'rm', '-f', ...left.volumes]);
}

/** The last ndjson line of `up --json` / `down --json`. */
export function resultLine(stdout: string): Record<string, unknown> & { services?: Array<Record<string, unknown>> } {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
}
