/**
 * The one env-file parser (a project's `.env`, `env_file:` of stack.yaml and of compose services),
 * with Compose v2's rules (compose-go's dotenv parser):
 *
 *   KEY=value            unquoted: up to the end of the line, ` #…` is a comment, trailing blanks trimmed,
 *                        then interpolated (`${VAR}`, `$VAR`, `${VAR:-default}`, `$$`)
 *   KEY='va$lue'         single-quoted: literal, may span lines; only `\'` is an escape
 *   KEY="a\nb ${X}"      double-quoted: may span lines; `\n \r \t \\ \" \$` escapes, then interpolated
 *   export KEY=…         `export ` is ignored;  `KEY` alone takes KEY from the lookup environment
 *
 * Interpolation sees the lookup environment first (for a project's .env: the process environment;
 * for a service's env_file: the project's variables), then the file's own earlier variables, so
 * `.env` values may build on earlier ones (`URL=http://${HOST}:${PORT}`).
 *
 *   parseEnvFile(text, file, lookup, { service? })  → { vars, entries, references, diagnostics }  (pure)
 *   readEnvFile(file, lookup, { optional, service, referencedFrom })       → the same + found  (never throws)
 *   loadEnvFile(file, options, lookup?)                                    → its promise
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { lineIndex } from './line-index.js';
import { ALLOWED_PATHS_VARIABLE, insideProject, projectRoot, readInputFileSync } from './read-input.js';
import { errorMessage, type SourceLocation } from '../errors.js';
import type { VariableReference } from './model.js';
import type { Diagnostic } from '../diagnostic.js';
import { interpolateString, type Environment } from './interpolate.js';

export interface EnvFileEntry {
  name: string;
  value: string;
  /** Where the KEY is written. */
  location: SourceLocation;
  quote: '' | "'" | '"';
}

export interface ParsedEnvFile {
  vars: Record<string, string>;
  entries: EnvFileEntry[];
  /** Every `${VAR}` of an interpolated value, located at its line. */
  references: VariableReference[];
  /** INTERP001 (malformed `$…`), INTERP002 (`${VAR:?}` unset), ENVFILE003 (unterminated quote, bad line). */
  diagnostics: Diagnostic[];
}

const KEY = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*(=)?/;

export function parseEnvFile(text: string, file: string, lookup: Environment, options: { service?: string } = {}): ParsedEnvFile {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const result: ParsedEnvFile = { vars: {}, entries: [], references: [], diagnostics: [] };
  const withService = <T extends { service?: string }>(item: T): T => (options.service !== undefined ? { ...item, service: options.service } : item);
  const locate = lineIndex(source);
  const lineOf = (offset: number): number => locate(offset).line;

  let pos = 0;
  while (pos < source.length) {
    const lineEnd = source.indexOf('\n', pos) < 0 ? source.length : source.indexOf('\n', pos);
    const line = source.slice(pos, lineEnd).replace(/\r$/, '');
    const location: SourceLocation = { file, line: lineOf(pos), col: 1 };
    if (/^\s*(#|$)/.test(line)) {
      pos = lineEnd + 1;
      continue;
    }
    const key = KEY.exec(line);
    if (!key || (!key[2] && line.slice(key[0].length).trim() !== '')) {
      result.diagnostics.push(withService<Diagnostic>({ code: 'ENVFILE003', severity: 'error', location, message: `not a KEY=value line: ${JSON.stringify(line.length > 40 ? `${line.slice(0, 37)}...` : line)}`, hint: 'write KEY=value (names: letters, digits, _ . -), or start the line with # to comment it out' }));
      pos = lineEnd + 1;
      continue;
    }
    const name = key[1]!;
    if (!key[2]) {
      // `KEY` alone: passed through from the lookup environment when set there.
      const inherited = lookup[name];
      if (inherited !== undefined) add(name, inherited, location, '');
      pos = lineEnd + 1;
      continue;
    }
    let valueStart = pos + key[0].length;
    while (source[valueStart] === ' ' || source[valueStart] === '\t') valueStart++;
    const quote = source[valueStart];
    if (quote === "'" || quote === '"') {
      const closed = readQuoted(source, valueStart + 1, quote);
      if (closed === undefined) {
        result.diagnostics.push(withService<Diagnostic>({ code: 'ENVFILE003', severity: 'error', location, message: `the ${quote === '"' ? 'double' : 'single'} quote of ${name} is never closed`, hint: `close it with ${quote} (a value may span lines inside quotes)` }));
        break;
      }
      const value = quote === "'" ? closed.text : interpolate(name, expandEscapes(closed.text), location);
      add(name, value, location, quote);
      const after = source.indexOf('\n', closed.end);
      pos = after < 0 ? source.length : after + 1;
      continue;
    }
    const rawValue = source.slice(valueStart, lineEnd).replace(/\r$/, '');
    const comment = rawValue.search(/[ \t]#/);
    const unquoted = (comment < 0 ? rawValue : rawValue.slice(0, comment)).replace(/\s+$/, '');
    add(name, interpolate(name, unquoted, location), location, '');
    pos = lineEnd + 1;
  }
  return result;

  function add(name: string, value: string, location: SourceLocation, quote: EnvFileEntry['quote']): void {
    result.vars[name] = value;
    result.entries = result.entries.filter((entry) => entry.name !== name);
    result.entries.push({ name, value, location, quote });
  }

  function interpolate(name: string, text: string, location: SourceLocation): string {
    if (!text.includes('$')) return text;
    const env: Record<string, string | undefined> = { ...result.vars };
    for (const [k, v] of Object.entries(lookup)) if (v !== undefined) env[k] = v;
    const interpolated = interpolateString(text, env);
    for (const ref of interpolated.references) {
      const reference: VariableReference = withService<VariableReference>({ name: ref.name, expression: ref.expression, path: [file, name], location, defaulted: ref.defaulted });
      if (ref.value !== undefined) reference.value = ref.value;
      if (ref.operator) reference.operator = ref.operator;
      result.references.push(reference);
    }
    for (const problem of interpolated.problems) {
      result.diagnostics.push(
        withService<Diagnostic>({
          code: problem.kind === 'syntax' ? 'INTERP001' : 'INTERP002',
          severity: 'error',
          location,
          message: `${name}: ${problem.message}`,
          hint: problem.kind === 'syntax' ? "write `$$` for a literal `$`, or single-quote the value (`KEY='a$b'` is taken literally)" : `set ${problem.name ?? 'the variable'} in the environment or earlier in this file`,
        }),
      );
    }
    return interpolated.problems.length > 0 ? text : interpolated.value;
  }
}

/** Text up to the closing quote (a backslash-escaped quote does not close); undefined when never closed. */
function readQuoted(source: string, start: number, quote: string): { text: string; end: number } | undefined {
  let out = '';
  for (let i = start; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      // An escaped quote is the quote; every other escape is kept for the double-quote pass.
      out += next === quote ? next : `${ch}${next}`;
      i++;
      continue;
    }
    if (ch === quote) return { text: out, end: i + 1 };
    out += ch;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$$' };

/** Double-quoted escapes as compose expands them; `\$` becomes `$$` (a literal `$` for interpolation). */
function expandEscapes(text: string): string {
  return text.replace(/\\(.)/g, (match, ch: string) => ESCAPES[ch] ?? match);
}

export interface EnvFileResult extends ParsedEnvFile {
  /** False when the file does not exist or cannot be read. */
  found: boolean;
}

export interface ReadEnvFileOptions {
  /** A missing file is no finding (a project's `.env`, `required: false`). */
  optional?: boolean;
  service?: string;
  /** Where the file is named (its env_file entry): where a missing file is reported. */
  referencedFrom?: SourceLocation;
  /** The environment stackctl runs in: input size limit and allowed paths (docs/security.md). */
  env?: Environment;
  /** The stack's directory: a referenced file must be inside its project (or an allowed path). */
  project?: string;
  cwd?: string;
}

/** Reads and parses an env file; a missing one is ENVFILE001 unless `optional`, an unreadable one always. */
export function readEnvFile(file: string, lookup: Environment, options: ReadEnvFileOptions = {}): EnvFileResult {
  const empty = { vars: {}, entries: [], references: [], found: false };
  const fail = (message: string, hint: string): EnvFileResult => {
    const diagnostic: Diagnostic = { code: 'ENVFILE001', severity: 'error', location: options.referencedFrom ?? { file, line: 0, col: 0 }, message, hint };
    if (options.service) diagnostic.service = options.service;
    return { ...empty, diagnostics: [diagnostic] };
  };
  if (options.project !== undefined && existsSync(file) && !insideProject(file, options.project, options.env, options.cwd)) {
    return fail(
      `env file ${file} is outside the project (${projectRoot(options.project)}); stackctl reads referenced files only inside it`,
      `move the file into the project, or allow its directory with ${ALLOWED_PATHS_VARIABLE}=${path.dirname(file)}`,
    );
  }
  // Regular files only, within the input limit: a FIFO or /dev/zero as env_file fails at once.
  const read = readInputFileSync(file, options.env);
  if (!read.ok) {
    if (read.code === 'ENOENT' && options.optional) return { ...empty, diagnostics: [] };
    return fail(
      read.code === 'ENOENT' ? `env file ${file} does not exist` : `cannot read env file ${file}: ${read.reason}`,
      read.code === 'ENOENT' ? 'create the file (e.g. copy .env.example), or remove it from env_file' : 'point env_file at a regular KEY=value file',
    );
  }
  return { ...parseEnvFile(read.text, file, lookup, options.service !== undefined ? { service: options.service } : {}), found: true };
}

/** readEnvFile for callers that await (the lookup defaults to none: only the file's own variables). */
export async function loadEnvFile(file: string, options: ReadEnvFileOptions = {}, lookup: Environment = {}): Promise<EnvFileResult> {
  return readEnvFile(file, lookup, options);
}
