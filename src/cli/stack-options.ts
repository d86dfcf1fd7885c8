/**
 * What up, down, ps and logs share: `-f/--file` and `-p/--project-name` (or STACKCTL_PROJECT_NAME),
 * loading the stack with its findings printed as `file:line:col`, and the runtime and Redactor for it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Stack } from '../config/model.js';
import { ConfigError, UsageError, formatLocation } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { Redactor } from '../secrets.js';
import type { Diagnostic } from '../validate/diagnostic.js';
import type { CliContext } from './context.js';

export interface StackOptions {
  file?: string;
  projectName?: string;
}

/** Files looked for, in order, when -f is not given. */
export const DEFAULT_STACK_FILES = ['stack.yaml', 'stack.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Adds -f/--file and -p/--project-name (`logs` keeps -f for --follow: `fileShort: false`). */
export function addStackOptions(command: Command, { fileShort = true }: { fileShort?: boolean } = {}): Command {
  return command
    .option(
      fileShort ? '-f, --file <file>' : '--file <file>',
      'stack file: stack.yaml or a docker-compose file (default: stack.yaml in the current directory)',
    )
    .option('-p, --project-name <name>', 'stack name to use instead of the file\'s `name` (env STACKCTL_PROJECT_NAME)');
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

/** The stack file to use: -f as given (relative to the working directory), else the first default present. */
export function resolveStackFile(ctx: CliContext, options: StackOptions): string | undefined {
  if (options.file !== undefined) {
    const file = path.resolve(ctx.cwd, options.file);
    if (!existsSync(file)) throw new UsageError(`stack file ${options.file} not found`, { hint: `check the path (relative to ${ctx.cwd})` });
    return file;
  }
  for (const candidate of DEFAULT_STACK_FILES) {
    const file = path.join(ctx.cwd, candidate);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = formatLocation(diagnostic.location);
  const service = diagnostic.service ? ` [${diagnostic.service}]` : '';
  return `${where}: ${diagnostic.severity} ${diagnostic.code}${service}: ${diagnostic.message}${diagnostic.hint ? `\n  hint: ${diagnostic.hint}` : ''}`;
}

/**
 * Loads the stack (project name override applied). Loading errors are printed to stderr, all of
 * them, and end the command with a ConfigError naming the first.
 */
export async function loadStackFor(ctx: CliContext, options: StackOptions): Promise<Stack> {
  const override = projectNameOverride(ctx, options);
  const file = resolveStackFile(ctx, options);
  if (!file) {
    throw new UsageError(`no stack file here (looked for ${DEFAULT_STACK_FILES.join(', ')} in ${ctx.cwd})`, {
      hint: 'give one with -f FILE',
    });
  }
  const { loadStack } = await import('../config/load.js');
  const loaded = await loadStack(file, { env: ctx.env, cwd: ctx.cwd });
  const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (!loaded.stack || errors.length > 0) {
    // Loading diagnostics carry no secret values (they name variables, not their values).
    for (const diagnostic of errors) ctx.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    const first = errors[0];
    throw new ConfigError(
      `${path.relative(ctx.cwd, file) || file} cannot be loaded: ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? ` (first: ${first.message})` : ''}`,
      { hint: 'fix the errors above; `stackctl validate` lists every finding' },
    );
  }
  return override ? { ...loaded.stack, name: override } : loaded.stack;
}

export function redactorFor(stack: Stack | undefined): Redactor {
  return new Redactor(stack?.secretValues ?? []);
}

/**
 * The dockerode runtime, bound to the stack. dockerode is the slowest module stackctl loads, so the
 * module is imported on the first call (every Runtime method is async): `--help`, `validate` and
 * usage errors never pay for it.
 */
export function createRuntime(stackName: string | undefined, redactor: Redactor): Runtime {
  let real: Promise<Runtime> | undefined;
  const load = (): Promise<Runtime> =>
    (real ??= import('../runtime/docker-runtime.js').then(
      ({ DockerRuntime }) => new DockerRuntime(stackName ? { stack: stackName, redactor } : { redactor }),
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
