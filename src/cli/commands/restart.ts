/**
 * `stackctl restart SERVICE…`: restart services and prove them ready again. With a daemon
 * supervising the stack the daemon does it (its `restart` action re-probes the dependents too);
 * without one the containers are stopped and the engine's `up` starts them again, waits for their
 * probes and re-checks everything else (a no-op for what still runs).
 * Exit codes: 0 every service ready again, 1 otherwise, 2 usage.
 */
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import { isSuccessfulState } from '../../engine/results.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { Redactor } from '../../secrets.js';
import { stdoutOf, type Output } from '../render/output.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, stopTimeoutOption, type StackOptions } from '../stack-options.js';
import { checkServiceNames } from '../service-selection.js';
import { daemonFor } from '../via-daemon.js';
import { withStackLock } from '../stack-lock.js';

interface RestartCommandOptions extends StackOptions {
  timeout?: number;
  json?: boolean;
}

export function registerRestart(program: Command, ctx: CliContext): void {
  const command = program
    .command('restart')
    .argument('<services...>', 'services to restart')
    .description('restart services and wait until they are ready again (through the daemon when one supervises the stack)')
    .addOption(stopTimeoutOption())
    .option('--json', 'print one result line per service');
  addStackOptions(command).action(async (services: string[], options: RestartCommandOptions) => {
    ctx.exitCode = await runRestartCommand(ctx, services, options);
  });
}

async function runRestartCommand(ctx: CliContext, services: string[], options: RestartCommandOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  checkServiceNames(stack, services);
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const daemon = await daemonFor(ctx, stack.dir, stack.name);
  if (daemon) {
    if (options.timeout !== undefined) {
      throw new UsageError('a daemon supervises this stack and restarts with its own stop timeout: --timeout cannot be passed to it', {
        hint: 'run `stackctl restart` without --timeout, or stop the daemon first (`stackctl daemon --stop`)',
      });
    }
    let ok = true;
    for (const service of services) {
      const result = await daemon.restart(service);
      ok &&= result.ok;
      report(out, options.json, { service, ok: result.ok, viaDaemon: true, message: result.message });
    }
    return ok ? 0 : 1;
  }
  // It stops and starts containers: not while an up or down of the stack is at work.
  return withStackLock(ctx, stack.name, { json: options.json === true, redactor, out }, () => restartUnderLock(ctx, stack, services, { out, redactor }, options));
}

async function restartUnderLock(
  ctx: CliContext,
  stack: Stack,
  services: string[],
  { out, redactor }: { out: Output; redactor: Redactor },
  options: RestartCommandOptions,
): Promise<number> {
  const runtime = createRuntime(stack.name, redactor);
  const containers = await runtime.listContainers(stack.name);
  const missing = services.filter((service) => !containers.some((c) => c.service === service && c.status === 'running'));
  if (missing.length > 0) {
    throw new UsageError(`not running: ${missing.join(', ')}`, { hint: 'start the stack with `stackctl up` (restart only restarts what runs)' });
  }
  for (const container of containers.filter((c) => services.includes(c.service))) {
    if (!options.json) out.line(`${container.service}: stopping ${container.name}`);
    await runtime.stopContainer(container.id, options.timeout ?? 10);
  }
  const { up } = await import('../../engine/index.js');
  const result = await up(stack, { runtime, signal: ctx.signal, build: false });
  for (const service of services) {
    const outcome = result.services.find((s) => s.service === service);
    const ready = outcome !== undefined && isSuccessfulState(outcome.state);
    const readyMs = outcome?.timings.readyMs;
    const message = ready
      ? `${service} restarted: ${outcome?.state}${readyMs !== undefined ? ` after ${readyMs} ms` : ''}`
      : `${service} did not come back: ${outcome?.diagnosis?.rootCause.summary ?? outcome?.cause ?? 'unknown'}`;
    report(out, options.json, { service, ok: ready, viaDaemon: false, message });
  }
  const others = result.services.filter((s) => !services.includes(s.service) && !isSuccessfulState(s.state));
  for (const other of others) report(out, options.json, { service: other.service, ok: false, viaDaemon: false, message: `${other.service} is ${other.state} after the restart: ${other.diagnosis?.rootCause.summary ?? other.cause}` });
  if (result.cancelled) return 130;
  return result.ok ? 0 : 1;
}

function report(out: Output, json: boolean | undefined, line: { service: string; ok: boolean; viaDaemon: boolean; message: string }): void {
  if (json) out.json({ type: 'restart.result', ...line });
  else out.line(`${line.ok ? '✔' : '✖'} ${line.message}`);
}
