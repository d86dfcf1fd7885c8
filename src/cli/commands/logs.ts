/**
 * `stackctl logs [service…] [-f] [--tail N]`: the services' output with a coloured `service |`
 * prefix per line. `-f` follows until Ctrl-C (or until every container stops). Secrets are redacted.
 * The stack file is `--file` here: `-f` means follow, as in `docker compose logs -f`.
 */
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { containerName } from '../../plan/names.js';
import { ownedContainers } from '../../plan/observed.js';
import type { ContainerInfo } from '../../runtime/runtime.js';
import type { CliContext } from '../context.js';
import { Output } from '../render/output.js';
import { daemonFor, logsViaDaemon } from '../via-daemon.js';
import { addStackOptions, createRuntime, loadStackOrName, parseNonNegativeInt, redactorFor, type StackOptions } from '../stack-options.js';
import { addTargetOption, type Target } from './target-option.js';

interface LogsCommandOptions extends StackOptions {
  follow?: boolean;
  tail?: number;
  color: boolean;
}

/** "Everything" for the engine's tail parameter. */
const ALL_LINES = 1_000_000_000;

export function registerLogs(program: Command, ctx: CliContext): void {
  const command = program
    .command('logs')
    .description("show the services' output, each line prefixed with its service")
    .argument('[services...]', 'services to show (default: all)')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --tail <lines>', 'only the last N lines of each service', parseNonNegativeInt('--tail'))
    .option('--no-color', 'no colours in the prefixes');
  addTargetOption(command);
  addStackOptions(command, { fileShort: false }).action(async (services: string[], options: LogsCommandOptions & { target?: Target }) => {
    if (options.target === 'swarm') {
      const { stack, name } = await loadStackOrName(ctx, options);
      return void (ctx.exitCode = await (await import('./swarm-target.js')).runSwarmLogs(ctx, stack, name, services, options.tail));
    }
    ctx.exitCode = await runLogs(ctx, services, options);
  });
}

function pickContainers(stack: Stack | undefined, name: string, containers: ContainerInfo[], wanted: string[]): ContainerInfo[] {
  const order = stack?.services.map((service) => service.name) ?? [...new Set(containers.map((c) => c.service))].sort();
  const known = new Set([...order, ...containers.map((c) => c.service)]);
  const unknown = wanted.filter((service) => !known.has(service));
  if (unknown.length > 0) {
    throw new UsageError(`no service named ${unknown.map((s) => `"${s}"`).join(', ')} in stack ${name}`, {
      hint: `services: ${[...known].join(', ')}`,
    });
  }
  const selected = wanted.length > 0 ? wanted : order;
  const picked: ContainerInfo[] = [];
  for (const service of selected) {
    const candidates = containers.filter((c) => c.service === service);
    const canonical = candidates.find((c) => c.name.replace(/^\//, '') === containerName(name, service)) ?? candidates[0];
    if (canonical) picked.push(canonical);
  }
  // Orphans too, when everything is asked for.
  if (wanted.length === 0) for (const c of containers) if (!order.includes(c.service) && !picked.includes(c)) picked.push(c);
  return picked;
}

function prefixer(out: Output, services: string[]): (service: string) => string {
  const width = Math.max(...services.map((s) => s.length), 1);
  const index = new Map(services.map((service, i) => [service, i]));
  return (service) => out.paint.pick(index.get(service) ?? 0, `${service.padEnd(width)} |`) + ' ';
}

async function runLogs(ctx: CliContext, wanted: string[], options: LogsCommandOptions): Promise<number> {
  const { stack, name } = await loadStackOrName(ctx, options);
  const redactor = redactorFor(stack);
  const env = options.color ? ctx.env : { ...ctx.env, NO_COLOR: '1', FORCE_COLOR: undefined };
  const out = new Output(ctx.stdout, redactor, env);
  // Through a running daemon, -f carries on across restarts.
  const daemon = await daemonFor(ctx, stack?.dir ?? ctx.cwd, name);
  if (daemon) return logsViaDaemon(ctx, daemon, out, wanted, options);
  const runtime = createRuntime(name, redactor);
  const containers = pickContainers(stack, name, ownedContainers(await runtime.listContainers(name)), wanted);
  if (containers.length === 0) {
    ctx.stderr.write(`stackctl: stack ${name} has no containers${wanted.length > 0 ? ` for ${wanted.join(', ')}` : ''}\n`);
    return 1;
  }
  const prefix = prefixer(out, containers.map((c) => c.service));
  const tail = options.tail ?? (options.follow ? undefined : ALL_LINES);

  if (!options.follow) {
    for (const container of containers) {
      const text = await runtime.logs(container.id, tail ?? ALL_LINES);
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (const line of lines) out.line(`${prefix(container.service)}${line.replace(/\r$/, '')}`);
    }
    return 0;
  }

  // Follow: every container at once, lines interleaved as they come, until Ctrl-C or all stop.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      containers.map((container) =>
        runtime.followLogs(container.id, (line) => out.line(`${prefix(container.service)}${line.replace(/\r$/, '')}`), stop.signal, tail),
      ),
    );
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return 0;
}
