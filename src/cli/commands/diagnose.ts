/**
 * `stackctl diagnose [-p STACK | --containers NAME…] [SERVICE…]`: why a stack — stackctl's, a
 * compose project, or containers started by hand — is broken, from what the engine shows. Without a
 * stack named, lists the stacks the engine shows. Exit 0 when nothing fails, 1 when something does.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { collectDiagnosis } from '../../diagnose/collect.js';
import { containersTarget, findStack, listStacks, type StackTarget } from '../../diagnose/stacks.js';
import { UsageError } from '../../errors.js';
import { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { renderDiagnoseMarkdown } from '../render/diagnose-markdown.js';
import { renderDiagnoseText, renderStackList } from '../render/diagnose-text.js';
import { stdoutOf } from '../render/output.js';
import { addStackOptions, createRuntime, parseDurationOption, parsePositiveInt, projectNameOverride, stackFileFor, type StackOptions } from '../stack-options.js';
import { loadStackFile } from '../stack-file.js';

type Format = 'text' | 'md' | 'json';

interface DiagnoseFlags extends StackOptions {
  containers?: string[];
  since: number;
  json?: boolean;
  format?: Format;
  tail: number;
}

function parseFormat(value: string): Format {
  if (value === 'text' || value === 'md' || value === 'json') return value;
  throw new InvalidArgumentError('expected text, md or json');
}

export function registerDiagnose(program: Command, ctx: CliContext): void {
  const command = program
    .command('diagnose')
    .description('explain why a stack is broken — stackctl\'s, a compose project or containers run by hand: state, exits, OOM, restart loops, health, logs, ports, env (redacted), root causes with a fix, timeline')
    .argument('[services...]', 'only these services')
    .option('--containers <names...>', 'diagnose these containers (started by hand, no labels needed)')
    .option('--since <duration>', 'timeline window: engine events of the last …', parseDurationOption('--since'), 10 * 60_000)
    .option('--json', 'print the report as JSON (schemaVersion 1, see docs/diagnose.md)')
    .option('--format <format>', 'text (default), md (for a ticket) or json', parseFormat)
    .option('--tail <lines>', 'log lines kept per service', parsePositiveInt('--tail'), 20)
    .addHelpText('after', '\nWithout -p, -f or --containers: lists the stacks the engine shows.\nExit status: 0 nothing failing, 1 failing services found, 2 usage error.');
  addStackOptions(command).action(async (services: string[], flags: DiagnoseFlags) => {
    ctx.exitCode = await runDiagnose(ctx, services, flags);
  });
}

async function resolveTarget(ctx: CliContext, flags: DiagnoseFlags, runtime: ReturnType<typeof createRuntime>): Promise<{ target: StackTarget; stackFile?: string; stackFileGuessed?: boolean }> {
  if (flags.containers && flags.containers.length > 0) {
    if (flags.projectName) throw new UsageError('give either -p STACK or --containers NAME…, not both');
    return { target: await containersTarget(runtime, flags.containers), ...(flags.file ? { stackFile: stackFileFor(ctx, flags)! } : {}) };
  }
  const override = projectNameOverride(ctx, flags);
  const file = stackFileFor(ctx, flags);
  const name = override ?? (file ? (await loadStackFile(ctx, flags.file, { printWarnings: false })).stack.name : undefined);
  if (!name) throw new UsageError('name the stack with -p STACK (or -f FILE)');
  const target = await findStack(runtime, name);
  // An explicit -f always; the file at hand for a stackctl stack (compose recorded its own).
  const stackFile = flags.file !== undefined || (target.source === 'stackctl' && file) ? file : undefined;
  return { target, ...(stackFile ? { stackFile, stackFileGuessed: flags.file === undefined } : {}) };
}

async function runDiagnose(ctx: CliContext, services: string[], flags: DiagnoseFlags): Promise<number> {
  const format: Format = flags.json ? 'json' : (flags.format ?? 'text');
  const redactor = new Redactor();
  const runtime = createRuntime(undefined, redactor, ctx.env);
  const out = stdoutOf(ctx, redactor);
  const listOnly = !flags.containers && flags.file === undefined && projectNameOverride(ctx, flags) === undefined;
  if (listOnly) {
    if (services.length > 0) throw new UsageError(`name the stack of ${services.join(', ')} with -p STACK`);
    const stacks = await listStacks(runtime);
    if (format === 'json') out.json({ schemaVersion: 1, stacks });
    else for (const line of renderStackList(stacks, out.paint)) out.line(line);
    return 0;
  }
  const { target, stackFile, stackFileGuessed } = await resolveTarget(ctx, flags, runtime);
  const report = await collectDiagnosis(runtime, {
    target,
    services,
    since: new Date(Date.now() - flags.since),
    tailLines: flags.tail,
    ...(stackFile ? { stackFile, stackFileGuessed: stackFileGuessed ?? false } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    redactor,
  });
  if (format === 'json') out.json(report);
  else if (format === 'md') out.write(renderDiagnoseMarkdown(report));
  else for (const line of renderDiagnoseText(report, out.paint, { details: services.length > 0 || target.source === 'containers' })) out.line(line);
  return report.summary.failing > 0 ? 1 : 0;
}
