/**
 * The stack file every command works on: `-f/--file`, else the first of DEFAULT_STACK_FILES in the
 * working directory; loaded with all load findings printed (redacted) to stderr and, when any is an
 * error, a ConfigError ending the command (exit 1).
 *
 *   addFileOption(command)                 adds -f, --file <file>
 *   findStackFile(ctx, file?)              → absolute path, or undefined when there is none
 *   resolveStackFile(ctx, file?)           → absolute path (UsageError, exit 2, when there is none)
 *   loadStackFile(ctx, file?, options?)    → { stack, file, diagnostics, redactor }
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadStack, type LoadResult } from '../load/load.js';
import type { Stack } from '../config/model.js';
import { ConfigError, UsageError } from '../errors.js';
import { Redactor } from '../secrets.js';
import type { Diagnostic } from '../diagnostic.js';
import { loadResultRedactor } from '../config/secret-values.js';
import { displayLocation } from '../validate/render.js';
import type { CliContext } from './context.js';

/** Looked for, in this order, when -f is not given. */
export const DEFAULT_STACK_FILES = ['stack.yaml', 'stack.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

export function addFileOption(command: Command): Command {
  return command.option('-f, --file <file>', `stack file: stack.yaml or a compose file (default: the first of ${DEFAULT_STACK_FILES.join(', ')} here)`);
}

/** The stack file to use: -f as given (a directory: the stack file in it), else the first default present here; undefined when there is none. */
export function findStackFile(ctx: Pick<CliContext, 'cwd'>, file?: string): string | undefined {
  if (file !== undefined) {
    if (file.trim() === '') throw new UsageError('-f/--file needs a file name');
    const absolute = path.resolve(ctx.cwd, file);
    if (!existsSync(absolute)) throw new UsageError(`stack file ${file} not found`, { hint: `check the path (relative to ${ctx.cwd})` });
    if (statSync(absolute).isDirectory()) {
      const inside = DEFAULT_STACK_FILES.map((name) => path.join(absolute, name)).find((candidate) => existsSync(candidate));
      if (inside) return inside;
      throw new UsageError(`${file} is a directory without a stack file`, { hint: `give the file itself, e.g. -f ${path.join(file, 'stack.yaml')}` });
    }
    return absolute;
  }
  return DEFAULT_STACK_FILES.map((name) => path.join(ctx.cwd, name)).find((candidate) => existsSync(candidate));
}

export function resolveStackFile(ctx: Pick<CliContext, 'cwd'>, file?: string): string {
  const found = findStackFile(ctx, file);
  if (found) return found;
  throw new UsageError(`no stack file in ${ctx.cwd} (looked for ${DEFAULT_STACK_FILES.join(', ')})`, {
    hint: 'run stackctl in the directory of your stack.yaml, or give the file with -f FILE',
  });
}

/** One finding as one or two lines: `file:line:col: error CODE [service]: message` + `  hint: …`. */
export function formatFinding(diagnostic: Diagnostic, cwd: string, redactor: Redactor): string {
  const service = diagnostic.service ? ` [${diagnostic.service}]` : '';
  const head = `${displayLocation(diagnostic.location, cwd)}: ${diagnostic.severity} ${diagnostic.code}${service}: ${diagnostic.message}`;
  return redactor.redact(diagnostic.hint ? `${head}\n  hint: ${diagnostic.hint}` : head);
}

export interface LoadedStackFile {
  stack: Stack;
  file: string;
  /** Load warnings (errors end the command). */
  diagnostics: Diagnostic[];
  redactor: Redactor;
}

export interface LoadStackFileOptions {
  /** Print load warnings to stderr too (default true). */
  printWarnings?: boolean;
}

/** Loads or ends the command: every load error printed, then a ConfigError (exit 1). */
export async function loadStackFile(ctx: CliContext, file?: string, options: LoadStackFileOptions = {}): Promise<LoadedStackFile> {
  const absolute = resolveStackFile(ctx, file);
  const loaded = await loadStack(absolute, { env: ctx.env, cwd: ctx.cwd });
  const redactor = loadResultRedactor(loaded, [absolute, path.dirname(absolute), ctx.cwd]);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.stack || errors.length > 0) {
    throw loadFailure(ctx, absolute, loaded, redactor);
  }
  if (options.printWarnings ?? true) {
    for (const warning of loaded.diagnostics) ctx.stderr.write(`${formatFinding(warning, ctx.cwd, redactor)}\n`);
  }
  return { stack: loaded.stack, file: absolute, diagnostics: loaded.diagnostics, redactor };
}

function loadFailure(ctx: CliContext, file: string, loaded: LoadResult, redactor: Redactor): ConfigError {
  for (const diagnostic of loaded.diagnostics) ctx.stderr.write(`${formatFinding(diagnostic, ctx.cwd, redactor)}\n`);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const shown = path.relative(ctx.cwd, file) || file;
  return new ConfigError(
    first
      ? `${shown} cannot be loaded: ${errors.length} error${errors.length === 1 ? '' : 's'} (above)`
      : `${shown} cannot be loaded`,
    { hint: 'fix the errors above; `stackctl validate` lists every finding with its fix' },
  );
}
