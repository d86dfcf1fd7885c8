/**
 * The stack file(s) every command works on: `-f/--file` (repeatable: compose files merged in order),
 * else COMPOSE_FILE (split on COMPOSE_PATH_SEPARATOR), else the first of DEFAULT_STACK_FILES in the
 * working directory plus, for a compose file, its override file (compose.override.yml, …) as docker
 * compose picks it up; loaded with all load findings printed (redacted) to stderr and, when any is an
 * error, a ConfigError ending the command (exit 1).
 *
 *   addFileOption(command)                 adds -f, --file <file>, --profile <name> and --env-file <file> (each repeatable)
 *   findStackFile(ctx, file?)              → absolute path of the (first) file, or undefined when there is none
 *   findStackFiles(ctx, file?)             → every file, in merge order ([] when there is none)
 *   resolveStackFiles(ctx, file?)          → the same; a UsageError (exit 2) when there is none
 *   loadStackFile(ctx, file?, options?)    → { stack, file, diagnostics, redactor }
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadStack, type LoadResult } from '../load/load.js';
import type { Stack } from '../config/model.js';
import { ConfigError, UsageError } from '../errors.js';
import { composeFileFromEnv, overrideFileFor } from '../compose/compose-files.js';
import { Redactor } from '../secrets.js';
import type { Diagnostic } from '../diagnostic.js';
import { loadResultRedactor } from '../config/secret-values.js';
import { displayLocation } from '../validate/render.js';
import type { CliContext } from './context.js';

/** Looked for, in this order, when -f is not given. */
export const DEFAULT_STACK_FILES = ['stack.yaml', 'stack.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

/** What -f gives: one file or, repeated, several (compose files merged in order). */
export type FileArgument = string | readonly string[] | undefined;

/** commander collector for repeatable options (-f, --profile). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** What addFileOption adds to a command's options. */
export interface FileOptions {
  /** -f: one file, or several compose files merged in order. */
  file?: string | string[];
  /** --profile: compose profiles to activate. */
  profile?: string[];
  /** --env-file: read instead of the project's `.env` (repeatable). */
  envFile?: string[];
}

/** Adds -f/--file, --profile and --env-file, each repeatable (`logs` keeps -f for --follow: `fileShort: false`). */
export function addFileOption(command: Command, { fileShort = true }: { fileShort?: boolean } = {}): Command {
  return command
    .option(
      fileShort ? '-f, --file <file>' : '--file <file>',
      `stack file: stack.yaml or a compose file; repeat it to merge compose files in order (default: COMPOSE_FILE, else the first of ${DEFAULT_STACK_FILES.join(', ')} here, with its compose override file)`,
      collect,
    )
    .option('--profile <name>', 'activate a compose profile (repeatable; default: COMPOSE_PROFILES)', collect)
    .option('--env-file <file>', "read the interpolation variables from this file instead of the project's .env (repeatable; a later file wins)", collect);
}

const fileList = (file: FileArgument): string[] => (file === undefined ? [] : typeof file === 'string' ? [file] : [...file]);

/** The stack file to use: -f as given (a directory: the stack file in it), else the first default present here; undefined when there is none. */
export function findStackFile(ctx: Pick<CliContext, 'cwd'> & Partial<Pick<CliContext, 'env'>>, file?: FileArgument): string | undefined {
  const given = fileList(file);
  if (given.length === 0) return findStackFiles(ctx)[0];
  return findOneFile(ctx, given[0]!);
}

/** Every file of the stack in merge order: the -f files, else COMPOSE_FILE, else the default file (+ its compose override). */
export function findStackFiles(ctx: Pick<CliContext, 'cwd'> & Partial<Pick<CliContext, 'env'>>, file?: FileArgument): string[] {
  const given = fileList(file);
  if (given.length > 0) return given.map((one) => findOneFile(ctx, one));
  // STACKCTL_FILE is -f from the environment (several files separated as in COMPOSE_FILE); COMPOSE_FILE after it.
  const stackctlFile = ctx.env?.STACKCTL_FILE?.trim();
  if (stackctlFile) {
    const separator = ctx.env?.COMPOSE_PATH_SEPARATOR || (process.platform === 'win32' ? ';' : ':');
    return stackctlFile.split(separator).filter((one) => one.trim() !== '').map((one) => findOneFile(ctx, one));
  }
  const fromEnv = ctx.env ? composeFileFromEnv(ctx.env, ctx.cwd) : undefined;
  if (fromEnv) {
    const missing = fromEnv.find((candidate) => !existsSync(candidate));
    if (missing) throw new UsageError(`COMPOSE_FILE names ${missing}, which does not exist`, { hint: 'fix COMPOSE_FILE (files separated by COMPOSE_PATH_SEPARATOR, default ":"), or give the files with -f' });
    return fromEnv;
  }
  const found = DEFAULT_STACK_FILES.map((name) => path.join(ctx.cwd, name)).find((candidate) => existsSync(candidate));
  if (!found) return [];
  const override = overrideFileFor(found);
  return override ? [found, override] : [found];
}

function findOneFile(ctx: Pick<CliContext, 'cwd'>, file: string): string {
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

export function resolveStackFiles(ctx: Pick<CliContext, 'cwd'> & Partial<Pick<CliContext, 'env'>>, file?: FileArgument): string[] {
  const found = findStackFiles(ctx, file);
  if (found.length > 0) return found;
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
  /** Compose profiles to activate (--profile); default COMPOSE_PROFILES. */
  profiles?: string[];
  /** --env-file: read instead of the project's `.env`. */
  envFiles?: string[];
}

/** Loads or ends the command: every load error printed, then a ConfigError (exit 1). */
export async function loadStackFile(ctx: CliContext, file?: FileArgument, options: LoadStackFileOptions = {}): Promise<LoadedStackFile> {
  const files = resolveStackFiles(ctx, file);
  const absolute = files[0]!;
  const loaded = await loadStack(files, { env: ctx.env, cwd: ctx.cwd, profiles: options.profiles, envFiles: options.envFiles });
  const redactor = loadResultRedactor(loaded, [...files, ...files.map((f) => path.dirname(f)), ctx.cwd]);
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
