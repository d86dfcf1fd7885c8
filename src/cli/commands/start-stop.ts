/**
 * `stackctl stop [SERVICE…]`: stop containers, dependents first (the reverse of start order); they are
 * kept, with their state, for `start`.
 * `stackctl start [SERVICE…]`: start stopped containers again — with what they depend on — and wait
 * until they are ready (up without building; a service that has no container yet is created).
 * Exit codes: 0 done (start: every service ready), 1 otherwise, 2 usage.
 */
import type { Command } from 'commander';
import { isSuccessfulState } from '../../engine/results.js';
import { graphOfStack, orderGraph } from '../../graph/graph.js';
import { ownedContainers } from '../../plan/observed.js';
import { containerName } from '../../plan/names.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { createRenderer } from '../render/renderer.js';
import { checkServiceNames, selectServices } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, stopTimeoutOption, type StackOptions } from '../stack-options.js';
import { daemonFor } from '../via-daemon.js';

interface StopOptions extends StackOptions {
  timeout?: number;
}

export function registerStop(program: Command, ctx: CliContext): void {
  const command = program
    .command('stop')
    .argument('[services...]', 'stop only these services (default: all)')
    .description('stop containers without removing them, dependents first')
    .addOption(stopTimeoutOption());
  addStackOptions(command).action(async (services: string[], options: StopOptions) => {
    ctx.exitCode = await runStop(ctx, services, options);
  });
}

export function registerStart(program: Command, ctx: CliContext): void {
  const command = program
    .command('start')
    .argument('[services...]', 'start only these services and what they depend on (default: all)')
    .description('start stopped services again (without building) and wait until they are ready');
  addStackOptions(command).action(async (services: string[], options: StackOptions) => {
    ctx.exitCode = await runStart(ctx, services, options);
  });
}

async function refuseWithDaemon(ctx: CliContext, dir: string, stack: string, verb: string): Promise<void> {
  if (await daemonFor(ctx, dir, stack)) {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`a daemon supervises this stack and would undo a ${verb} done behind its back`, {
      hint: `stop the daemon first (\`stackctl daemon --stop\`; the stack keeps running), or use \`stackctl restart\``,
    });
  }
}

async function runStop(ctx: CliContext, names: string[], options: StopOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  checkServiceNames(stack, names);
  await refuseWithDaemon(ctx, stack.dir, stack.name, 'stop');
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const runtime = createRuntime(stack.name, redactor);
  const containers = ownedContainers(await runtime.listContainers(stack.name));
  const reverse = [...orderGraph(graphOfStack(stack)).order].reverse();
  const wanted = names.length === 0 ? reverse : reverse.filter((name) => names.includes(name));
  let stopped = 0;
  for (const service of wanted) {
    const container = containers.find((c) => c.service === service && c.name.replace(/^\//, '') === containerName(stack.name, service));
    if (!container || (container.status !== 'running' && container.status !== 'restarting')) continue;
    const began = Date.now();
    await runtime.stopContainer(container.id, options.timeout ?? 10);
    stopped += 1;
    out.line(`✔ ${service} stopped (${Date.now() - began} ms)`);
  }
  out.line(`stack ${stack.name}: ${stopped} stopped${stopped === 0 ? ' (nothing was running)' : ''}`);
  return 0;
}

async function runStart(ctx: CliContext, names: string[], options: StackOptions): Promise<number> {
  const whole = await loadStackFor(ctx, options);
  const stack = selectServices(whole, names);
  await refuseWithDaemon(ctx, stack.dir, stack.name, 'start');
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const runtime = createRuntime(stack.name, redactor);
  const { up } = await import('../../engine/index.js');
  const renderer = createRenderer('plain', out, stack, 'up');
  const result = await up(stack, { runtime, signal: ctx.signal, build: false, onEvent: (event) => renderer.event(event) });
  renderer.stop();
  if (result.cancelled) return 130;
  const notReady = result.services.filter((service) => !isSuccessfulState(service.state));
  out.line(
    notReady.length === 0
      ? `stack ${stack.name}: ${result.services.length} ready`
      : `stack ${stack.name}: not ready: ${notReady.map((s) => `${s.service} (${s.diagnosis?.rootCause.summary ?? s.state})`).join(', ')}`,
  );
  return notReady.length === 0 ? 0 : 1;
}
