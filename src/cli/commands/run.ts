/**
 * `stackctl run [--rm] SERVICE [CMD…]`: a one-off container of the service (a migration, a shell, a
 * script) once everything it depends on is ready. It joins the stack's network with the service's
 * environment and volumes, publishes no ports, and is never mistaken for the service's own container
 * (it has no config hash, so up, ps and reconcile leave it alone). Exit code: the command's.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError, errorMessage } from '../../errors.js';
import { prepareImages } from '../../engine/images.js';
import { isSuccessfulState } from '../../engine/results.js';
import { graphOfStack, transitiveDependencies } from '../../graph/graph.js';
import { containerSpec, stackNetworks, stackVolumes } from '../../plan/container-spec.js';
import { computeContextHash } from '../../runtime/context-hash.js';
import { LABELS } from '../../runtime/runtime.js';
import type { CliContext } from '../context.js';
import { collect } from '../stack-file.js';
import { stderrOf } from '../render/output.js';
import { createRenderer } from '../render/renderer.js';
import { checkServiceNames, selectServices } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';
import { parseEnvPairs } from './exec.js';

interface RunOptions extends StackOptions {
  rm?: boolean;
  env?: string[];
  deps: boolean;
}

export const ONE_OFF_LABEL = 'io.stackctl.one-off';

export function registerRun(program: Command, ctx: CliContext): void {
  const command = program
    .command('run')
    .argument('<service>', 'the service to run a one-off container of')
    .argument('[command...]', "the command (default: the service's own); put -- before it when it has options")
    .description('run a one-off command in a new container of a service, once its dependencies are ready')
    .option('--rm', 'remove the container when the command ends')
    .option('--no-deps', 'do not start the services it depends on')
    .option('-e, --env <KEY=VALUE>', 'set a variable (repeatable)', collect);
  addStackOptions(command).action(async (service: string, words: string[], options: RunOptions) => {
    ctx.exitCode = await runOneOff(ctx, service, words, options);
  });
}

async function runOneOff(ctx: CliContext, name: string, words: string[], options: RunOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  checkServiceNames(stack, [name]);
  const service = stack.services.find((s) => s.name === name)!;
  const redactor = redactorFor(stack);
  // stdout is the command's alone (scripts capture it); the dependencies' progress goes to stderr.
  const out = stderrOf(ctx, redactor);
  const runtime = createRuntime(stack.name, redactor);
  const env = parseEnvPairs(options.env);

  const dependencies = [...transitiveDependencies(graphOfStack(stack), name)];
  if (options.deps && dependencies.length > 0) {
    const { up } = await import('../../engine/index.js');
    const renderer = createRenderer('plain', out, stack, 'up');
    const result = await up(selectServices(stack, dependencies), { runtime, signal: ctx.signal, onEvent: (event) => renderer.event(event) });
    renderer.stop();
    if (result.cancelled) return 130;
    const down = result.services.filter((s) => !isSuccessfulState(s.state));
    if (down.length > 0) {
      throw new UsageError(`${name} depends on ${down.map((s) => s.service).join(', ')}, which did not become ready`, {
        hint: `\`stackctl up ${down[0]!.service}\` shows why; --no-deps runs ${name} anyway`,
      });
    }
  } else {
    await runtime.ping(ctx.signal);
    for (const network of stackNetworks(stack)) await runtime.ensureNetwork(stack.name, network);
    for (const volume of stackVolumes(stack)) await runtime.ensureVolume(stack.name, volume);
  }

  const images = await prepareImages(stack, [service], {
    runtime,
    build: true,
    contextHash: computeContextHash,
    signal: ctx.signal,
    concurrency: 1,
    clock: Date.now,
    onPhase: () => undefined,
    onProgress: () => undefined,
    onDone: () => undefined,
  });
  const failure = images.failures.get(name);
  if (failure) throw new UsageError(`the image of ${name} is not available: ${errorMessage(failure.context.error ?? failure)}`, { hint: `\`stackctl build ${name}\` shows the build output` });

  const spec = containerSpec(stack, service);
  spec.name = `${stack.name}-${name}-run-${randomBytes(3).toString('hex')}`;
  spec.labels = { [LABELS.stack]: stack.name, [LABELS.service]: name, [ONE_OFF_LABEL]: 'true' };
  spec.ports = [];
  spec.aliases = [];
  spec.restart = { name: 'no' };
  if (words.length > 0) {
    spec.command = words;
  }
  if (env) spec.env = { ...spec.env, ...env };
  const id = await runtime.createContainer(spec);
  try {
    await runtime.startContainer(id);
    // The log stream ends when the container exits.
    await runtime.followLogs(id, (line) => ctx.stdout.write(`${line}\n`), ctx.signal);
    if (ctx.signal.aborted) {
      await runtime.stopContainer(id, 10);
      return 130;
    }
    const info = await runtime.inspectContainer(id);
    const code = info?.exitCode ?? 1;
    if (!options.rm) ctx.stderr.write(`stackctl: the one-off container ${spec.name} was kept (exit ${code}); \`docker rm ${spec.name}\` removes it\n`);
    return code;
  } finally {
    if (options.rm) await runtime.removeContainer(id).catch(() => undefined);
  }
}
