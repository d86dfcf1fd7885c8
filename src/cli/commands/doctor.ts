/**
 * `stackctl doctor [-f FILE | -p STACK] [--json]`: is this machine fit to run the stack? One line per
 * check, ok / warning / error with a fix. Exit status by the worst line: 0 ok, 1 warning, 2 error.
 */
import type { Command } from 'commander';
import { loadStack } from '../../load/load.js';
import type { Stack } from '../../config/model.js';
import { findStack } from '../../diagnose/stacks.js';
import { exitCodeOf, worstStatus, type DoctorCheck } from '../../doctor/check.js';
import { runDoctorChecks } from '../../doctor/doctor.js';
import type { StackContext } from '../../doctor/stack-checks.js';
import { COMPOSE_LABELS, LABELS, type Runtime } from '../../runtime/runtime.js';
import { Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../../paint.js';
import { stdoutOf } from '../render/output.js';
import { addStackOptions, createRuntime, projectNameOverride, stackFileFor, type StackOptions } from '../stack-options.js';

interface DoctorFlags extends StackOptions {
  json?: boolean;
}

export const DOCTOR_SCHEMA_VERSION = 1;
const DNS_IMAGE = 'debian:bookworm-slim';

export function registerDoctor(program: Command, ctx: CliContext): void {
  const command = program
    .command('doctor')
    .description('check this machine for the stack: engine (socket, context, version, storage, disk, clock, memory), host ports the stack wants, DNS on its network, apt/dpkg locks')
    .option('--json', 'print the checks as JSON (schemaVersion 1)')
    .addHelpText('after', '\nExit status by the worst line: 0 all ok, 1 a warning, 2 an error.');
  addStackOptions(command).action(async (flags: DoctorFlags) => {
    ctx.exitCode = await runDoctor(ctx, flags);
  });
}

async function loadQuietly(file: string, ctx: CliContext, dir?: string): Promise<Stack | undefined> {
  const loaded = await loadStack(file, { env: ctx.env, cwd: dir ?? ctx.cwd }).catch(() => undefined);
  return loaded?.stack;
}

function stackContextFor(ctx: CliContext, flags: DoctorFlags, runtime: Runtime, redactor: Redactor): (engineUp: boolean) => Promise<StackContext | undefined> {
  return async (engineUp) => {
    const override = projectNameOverride(ctx, flags);
    let stack: Stack | undefined;
    // -p of a compose project: the file compose recorded, unless -f names one.
    if (override && engineUp && flags.file === undefined) {
      const target = await findStack(runtime, override).catch(() => undefined);
      const recorded = target?.configFiles?.[0];
      if (recorded) stack = await loadQuietly(recorded, ctx, target?.workingDir);
    }
    const file = stackFileFor(ctx, flags);
    if (!stack && file) stack = await loadQuietly(file, ctx);
    if (!stack) return undefined;
    for (const value of stack.secretValues) redactor.add(value);
    const name = override ?? stack.name;
    const containers = engineUp
      ? [
          ...(await runtime.findContainers({ labels: [`${LABELS.stack}=${name}`] })).filter((c) => c.configHash !== ''),
          ...(await runtime.findContainers({ labels: [`${COMPOSE_LABELS.project}=${name}`] })),
        ]
      : [];
    return { stack: { ...stack, name }, containers, network: `${name}_default` };
  };
}

const MARK: Record<DoctorCheck['status'], (p: Paint) => string> = {
  ok: (p) => p.green('✓'),
  warning: (p) => p.yellow('!'),
  error: (p) => p.red('✗'),
  skipped: (p) => p.dim('-'),
};

export function renderDoctor(checks: DoctorCheck[], p: Paint): string[] {
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.flatMap((c) => {
    const head = `${MARK[c.status](p)} ${c.id.padEnd(width)}  ${c.status === 'skipped' ? p.dim(`skipped: ${c.detail}`) : c.detail}`;
    return c.fix && c.status !== 'ok' ? [head, `  ${' '.repeat(width)}  ${p.dim('fix:')} ${c.fix}`] : [head];
  });
  const worst = worstStatus(checks);
  return [...lines, '', worst === 'ok' ? p.green('all ok') : worst === 'warning' ? p.yellow('worst: warning (exit 1)') : p.red('worst: error (exit 2)')];
}

async function runDoctor(ctx: CliContext, flags: DoctorFlags): Promise<number> {
  const redactor = new Redactor();
  const runtime = createRuntime(undefined, redactor, ctx.env);
  const checks = await runDoctorChecks({ runtime, env: ctx.env, stackContext: stackContextFor(ctx, flags, runtime, redactor), dnsImage: DNS_IMAGE });
  const out = stdoutOf(ctx, redactor);
  if (flags.json) out.json({ schemaVersion: DOCTOR_SCHEMA_VERSION, worst: worstStatus(checks), checks });
  else for (const line of renderDoctor(checks, out.paint)) out.line(line);
  return exitCodeOf(checks);
}
