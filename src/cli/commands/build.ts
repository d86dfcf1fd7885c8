/**
 * `stackctl build [SERVICE…]`: build the images of the stack (or of the named services) without
 * starting anything. An image whose context hash is unchanged is not rebuilt unless --no-cache.
 * Exit codes: 0 every image built or up to date, 1 a build failed, 2 usage.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../errors.js';
import { prepareImages } from '../../engine/images.js';
import { computeContextHash } from '../../runtime/context-hash.js';
import { ImageBuildError } from '../../runtime/errors.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { checkServiceNames } from '../service-selection.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';

interface BuildCommandOptions extends StackOptions {
  cache: boolean;
  pull?: boolean;
  json?: boolean;
  progress?: boolean;
}

export function registerBuild(program: Command, ctx: CliContext): void {
  const command = program
    .command('build')
    .argument('[services...]', 'build only these services (default: every service with `build`)')
    .description('build the images of the stack without starting anything')
    .option('--no-cache', 'build from scratch: no layer cache, even when the context is unchanged')
    .option('--pull', 'pull newer versions of the base images first (needs a registry)')
    .option('--progress', 'print the build output')
    .option('--json', 'one result line per service');
  addStackOptions(command).action(async (services: string[], options: BuildCommandOptions) => {
    ctx.exitCode = await runBuildCommand(ctx, services, options);
  });
}

async function runBuildCommand(ctx: CliContext, names: string[], options: BuildCommandOptions): Promise<number> {
  const stack = await loadStackFor(ctx, options);
  checkServiceNames(stack, names);
  const built = stack.services.filter((service) => service.build && (names.length === 0 || names.includes(service.name)));
  const notBuilt = names.filter((name) => !built.some((service) => service.name === name));
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  for (const name of notBuilt) out.line(`${name}: no \`build\` in the stack file — its image is pulled, not built`);
  if (built.length === 0) return 0;
  const runtime = createRuntime(stack.name, redactor);
  await runtime.ping(ctx.signal);
  const images = await prepareImages(stack, built, {
    runtime,
    build: true,
    contextHash: computeContextHash,
    noCache: !options.cache,
    pull: options.pull === true,
    signal: ctx.signal,
    concurrency: 4,
    clock: Date.now,
    onPhase: (service) => {
      if (!options.json) out.line(`${service}: building`);
    },
    onProgress: (service, line) => {
      if (options.progress && !options.json) out.line(`${service} | ${line}`);
    },
    onDone: (service, imageId, durationMs, detail) => {
      if (options.json) out.json({ type: 'build.result', service, ok: true, imageId, detail, durationMs });
      else out.line(out.paint.green(`✔ ${service}: ${detail === 'built' ? `built in ${(durationMs / 1000).toFixed(1)}s` : detail} (${imageId.slice(7, 19)})`));
    },
  });
  for (const [service, failure] of images.failures) {
    const cause = failure.context.error ?? failure;
    if (options.json) out.json({ type: 'build.result', service, ok: false, error: errorMessage(cause) });
    else {
      out.line(out.paint.red(`✖ ${service}: ${errorMessage(cause)}`));
      if (cause instanceof ImageBuildError) for (const line of cause.outputTail.slice(-10)) out.line(out.paint.dim(`    ${line}`));
    }
  }
  if (ctx.signal.aborted) return 130;
  return images.failures.size > 0 ? 1 : 0;
}
