/**
 * `stackctl exec SERVICE CMD…`: run a command in the service's running container, with the terminal
 * attached when stdin is one (as `docker compose exec`; -T turns the TTY off). Exit code: the command's.
 */
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { ownedContainers } from '../../plan/observed.js';
import { containerName } from '../../plan/names.js';
import type { ContainerInfo, Runtime } from '../../runtime/runtime.js';
import type { CliContext } from '../context.js';
import { collect } from '../stack-file.js';
import { checkServiceNames } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';

interface ExecOptions extends StackOptions {
  tty: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
}

export function registerExec(program: Command, ctx: CliContext): void {
  const command = program
    .command('exec')
    .argument('<service>', 'the service whose container runs the command')
    .argument('<command...>', 'the command and its arguments (put -- before it when it has options)')
    .description("run a command in a service's running container")
    .option('-T, --no-tty', 'no terminal, even when stdin is one')
    .option('-e, --env <KEY=VALUE>', 'set a variable for the command (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory of the command')
    .option('-u, --user <user>', 'user to run the command as');
  addStackOptions(command).action(async (service: string, words: string[], options: ExecOptions) => {
    ctx.exitCode = await runExec(ctx, service, words, options);
  });
}

/** The service's running container, or a usage error that says how to start it. */
export async function runningContainer(runtime: Runtime, stack: Stack, service: string): Promise<ContainerInfo> {
  checkServiceNames(stack, [service]);
  const container = ownedContainers(await runtime.listContainers(stack.name)).find(
    (c) => c.service === service && c.name.replace(/^\//, '') === containerName(stack.name, service),
  );
  if (!container || container.status !== 'running') {
    throw new UsageError(`${service} is not running${container ? ` (${container.status})` : ''}`, {
      hint: `start it with \`stackctl up ${service}\`, or use \`stackctl run --rm ${service} …\` for a one-off container`,
    });
  }
  return container;
}

export function parseEnvPairs(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`-e expects KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

async function runExec(ctx: CliContext, service: string, words: string[], options: ExecOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  const runtime = createRuntime(stack.name, redactorFor(stack));
  const container = await runningContainer(runtime, stack, service);
  const stdin = process.stdin;
  const tty = options.tty && stdin.isTTY === true && ctx.stdout === process.stdout;
  const env = parseEnvPairs(options.env);
  if (tty) stdin.setRawMode(true);
  try {
    return await runtime.execAttached(container.id, words, {
      ...(tty || !stdin.isTTY ? { stdin } : {}),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      tty,
      ...(env ? { env } : {}),
      ...(options.workdir ? { workdir: options.workdir } : {}),
      ...(options.user ? { user: options.user } : {}),
    });
  } finally {
    if (tty) stdin.setRawMode(false);
    stdin.pause();
  }
}
