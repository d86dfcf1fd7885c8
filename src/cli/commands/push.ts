/**
 * `stackctl push --registry HOST/PREFIX`: builds the stack's images as `stackctl up` does, then tags
 * each built one HOST/PREFIX/<service>:<content hash> and pushes it — the references
 * `stackctl export k8s --registry` and `stackctl up --target swarm --registry` deploy.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { stderrOf, stdoutOf } from '../render/output.js';
import { addStackOptions, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';

interface PushOptions extends StackOptions {
  registry: string;
  build: boolean;
}

export function registerPush(program: Command, ctx: CliContext): void {
  const command = program
    .command('push')
    .description('build the images and push them to a registry, tagged with their content hash (for export k8s / up --target swarm)')
    .requiredOption('--registry <host/prefix>', 'registry and path prefix, e.g. 127.0.0.1:5000/stackctl')
    .option('--no-build', 'push the images as they are built now');
  addStackOptions(command).action(async (options: PushOptions) => {
    const stack = await loadStackFor(ctx, options);
    const redactor = redactorFor(stack);
    const { prepareSwarmImages } = await import('./swarm-target.js');
    const images = await prepareSwarmImages(ctx, stack, { registry: options.registry, build: options.build }, stderrOf(ctx, redactor));
    const out = stdoutOf(ctx, redactor);
    for (const [service, reference] of Object.entries(images ?? {})) out.line(`${service}\t${reference}`);
    ctx.exitCode = 0;
  });
}
