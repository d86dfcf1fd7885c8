/** `stackctl top [SERVICE…]`: the processes running in each service's container. */
import type { Command } from 'commander';
import { ownedContainers } from '../../plan/observed.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { checkServiceNames } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';

interface TopOptions extends StackOptions {
  json?: boolean;
}

export function registerTop(program: Command, ctx: CliContext): void {
  const command = program
    .command('top')
    .argument('[services...]', 'only these services (default: all that run)')
    .description("show the processes running in the stack's containers")
    .option('--json', 'one line per service: { service, titles, processes }');
  addStackOptions(command).action(async (services: string[], options: TopOptions) => {
    ctx.exitCode = await runTop(ctx, services, options);
  });
}

async function runTop(ctx: CliContext, names: string[], options: TopOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  checkServiceNames(stack, names);
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const runtime = createRuntime(stack.name, redactor);
  const running = ownedContainers(await runtime.listContainers(stack.name))
    .filter((c) => c.status === 'running' && (names.length === 0 || names.includes(c.service)))
    .sort((a, b) => a.service.localeCompare(b.service));
  if (running.length === 0) {
    out.line(`no container of ${stack.name}${names.length > 0 ? ` (${names.join(', ')})` : ''} is running`);
    return names.length > 0 ? 1 : 0;
  }
  for (const container of running) {
    const { titles, processes } = await runtime.top(container.id);
    if (options.json) {
      out.json({ service: container.service, container: container.name.replace(/^\//, ''), titles, processes });
      continue;
    }
    out.line(out.paint.bold(`${container.service} (${container.name.replace(/^\//, '')})`));
    const widths = titles.map((title, i) => Math.max(title.length, ...processes.map((row) => (row[i] ?? '').length)));
    const row = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
    out.line(row(titles));
    for (const process of processes) out.line(row(process));
    out.line();
  }
  return 0;
}
