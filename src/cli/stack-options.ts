/**
 * What the commands that act on a running stack share (up, down, ps, logs, test, report, daemon):
 * `-f/--file` and `-p/--project-name` (or STACKCTL_PROJECT_NAME), the stack loaded through
 * stack-file.ts with the override applied, and the runtime and Redactor for it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Stack } from '../config/model.js';
import { parseDuration } from '../config/normalize.js';
import { UsageError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { Redactor } from '../secrets.js';
import { stackRedactor } from '../config/secret-values.js';
import type { CliContext } from './context.js';
import { addFileOption, findStackFile, loadStackFile, type FileOptions } from './stack-file.js';

export interface StackOptions extends FileOptions {
  projectName?: string;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Adds addFileOption's -f/--file, --profile and --env-file, and -p/--project-name. */
export function addStackOptions(command: Command, fileOptions: { fileShort?: boolean } = {}): Command {
  return addFileOption(command, fileOptions).option('-p, --project-name <name>', 'stack name to use instead of the file\'s `name` (env STACKCTL_PROJECT_NAME)');
}

/** `--timeout <seconds>` of down, stop and restart: how long each container gets to stop before it is killed. */
export function stopTimeoutOption(): Option {
  return new Option('--timeout <seconds>', 'seconds each container gets to stop before it is killed (default 10)').argParser(parseNonNegativeInt('--timeout'));
}

/** The -p / STACKCTL_PROJECT_NAME override, validated; undefined when neither is set. */
export function projectNameOverride(ctx: CliContext, options: StackOptions): string | undefined {
  const name = options.projectName ?? (ctx.env.STACKCTL_PROJECT_NAME || undefined);
  if (name === undefined) return undefined;
  if (!NAME.test(name)) {
    const source = options.projectName !== undefined ? '-p/--project-name' : 'STACKCTL_PROJECT_NAME';
    throw new UsageError(`${source} "${name}" is not a valid stack name`, {
      hint: 'use lower-case letters, digits, "-" and "_", starting with a letter or digit',
    });
  }
  return name;
}

/** The stack file -f names, else the default one here; undefined when there is none. */
export function stackFileFor(ctx: CliContext, options: StackOptions): string | undefined {
  return findStackFile(ctx, options.file);
}

/** Loads the stack (load errors printed, redacted, then a ConfigError) with the project name override applied. */
export async function loadStackFor(ctx: CliContext, options: StackOptions): Promise<Stack> {
  const override = projectNameOverride(ctx, options);
  const { stack } = await loadStackFile(ctx, options.file, { printWarnings: false, profiles: options.profile, envFiles: options.envFile });
  return override ? { ...stack, name: override } : stack;
}

/**
 * The stack from its file and its name — or only the name when -p (or STACKCTL_PROJECT_NAME) names
 * the stack and no stack file is at hand: ps, logs, env and down then work from the engine's labels alone.
 */
export async function loadStackOrName(ctx: CliContext, options: StackOptions): Promise<{ stack: Stack | undefined; name: string }> {
  const override = projectNameOverride(ctx, options);
  if (override !== undefined && options.file === undefined && stackFileFor(ctx, options) === undefined) return { stack: undefined, name: override };
  const stack = await loadStackFor(ctx, options);
  return { stack, name: stack.name };
}

export function redactorFor(stack: Stack | undefined): Redactor {
  return stack ? stackRedactor(stack) : new Redactor();
}

/**
 * The dockerode runtime, bound to the stack. dockerode is the slowest module stackctl loads, so the
 * module is imported on the first call (every Runtime method is async): `--help`, `validate` and
 * usage errors never pay for it.
 */
export function createRuntime(stackName: string | undefined, redactor: Redactor, env?: NodeJS.ProcessEnv): Runtime {
  let real: Promise<Runtime> | undefined;
  const dockerHost = env?.DOCKER_HOST ? { dockerHost: env.DOCKER_HOST } : {};
  const load = (): Promise<Runtime> =>
    (real ??= import('../runtime/docker-runtime.js').then(
      ({ DockerRuntime }) => new DockerRuntime(stackName ? { stack: stackName, redactor, ...dockerHost } : { redactor, ...dockerHost }),
    ));
  return new Proxy({} as Runtime, {
    get: (_target, property) => {
      // Not a thenable: `await runtime` must give the runtime itself.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return async (...args: unknown[]): Promise<unknown> => {
        const runtime = (await load()) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const method = runtime[property];
        if (typeof method !== 'function') throw new TypeError(`Runtime has no method ${property}`);
        return method.apply(runtime, args);
      };
    },
  });
}

/** A positive duration option (`90s`, `500ms`, `1m30s`) in milliseconds. */
export function parseDurationOption(name: string): (value: string) => number {
  return (value) => {
    const parsed = parseDuration(value);
    if (!parsed.ok || parsed.value <= 0) throw new InvalidArgumentError(`${name} expects a duration such as 500ms, 90s, 5m or 1m30s`);
    return parsed.value;
  };
}

export function parsePositiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} expects a whole number ≥ 1, got "${value}"`);
    return n;
  };
}

export function parseNonNegativeInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} expects a whole number ≥ 0, got "${value}"`);
    return n;
  };
}
