/**
 * Compose-spec variable interpolation, recording every reference with its location.
 *
 *   ${VAR} $VAR           value, or "" when unset
 *   ${VAR:-default}       default when VAR is unset or empty      ${VAR-default}  … when unset
 *   ${VAR:?message}       error when VAR is unset or empty         ${VAR?message}  … when unset
 *   ${VAR:+alternative}   alternative when VAR is set and non-empty ${VAR+alt}     … when set
 *   $$                    a literal $
 * Defaults, messages and alternatives may themselves contain expressions (`${A:-${B:-x}}`); they are
 * evaluated lazily, so an unused default neither records a reference nor raises its `?` error.
 *
 * Stable API (src/compose/ builds on it):
 *   interpolateString(text, env)                       → { value, references, problems }  (pure)
 *   interpolateTree(value, env, source, options?)      → { value, references, diagnostics } for a whole document
 *   (env files: env-file.ts, compose's rules)
 *   mergeEnvironment(processEnv, ...fileVars)          → process env over the files (a later file wins)
 */
import { errorMessage } from '../errors.js';
import type { VariableReference } from './model.js';
import type { Diagnostic } from '../diagnostic.js';
import type { KeyPath, YamlSource } from './yaml-source.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export type InterpolationOperator = ':-' | '-' | ':?' | '?' | ':+' | '+';

/** A reference found in one string, before it is given a place in a file. */
export interface StringReference {
  name: string;
  expression: string;
  /** Offset of the expression in the input string. */
  offset: number;
  operator?: InterpolationOperator;
  value?: string;
  defaulted: boolean;
}

export interface InterpolationProblem {
  kind: 'syntax' | 'required';
  /** The variable concerned (for `required`). */
  name?: string;
  expression: string;
  offset: number;
  message: string;
}

export interface StringInterpolation {
  value: string;
  references: StringReference[];
  problems: InterpolationProblem[];
}

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string; operator?: InterpolationOperator; word: Part[]; expression: string; offset: number };

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const OPERATORS: InterpolationOperator[] = [':-', ':?', ':+', '-', '?', '+'];

/** Interpolates one string. Pure; never throws. */
export function interpolateString(text: string, env: Environment): StringInterpolation {
  if (!text.includes('$')) return { value: text, references: [], problems: [] };
  let parts: Part[];
  try {
    parts = parseParts(text, 0, false).parts;
  } catch (error) {
    const offset = error instanceof SyntaxProblem ? error.offset : 0;
    const message = error instanceof SyntaxProblem ? error.message : errorMessage(error);
    return {
      value: text,
      references: [],
      problems: [{ kind: 'syntax', expression: text.slice(offset, offset + 40), offset, message }],
    };
  }
  const references: StringReference[] = [];
  const problems: InterpolationProblem[] = [];
  const value = evaluate(parts, env, references, problems);
  return { value, references, problems };
}

/** `${A:-${B:-…}}` may nest this deep (docs/security.md, input limits). */
export const MAX_INTERPOLATION_DEPTH = 50;

function parseParts(text: string, start: number, inBraces: boolean, depth = 0): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let literal = '';
  let i = start;
  // Literal `{ … }` pairs inside a default/message are kept whole (`${A:?use { a: 1 }}`).
  let literalDepth = 0;
  const flush = (): void => {
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (inBraces && ch === '}') {
      if (literalDepth === 0) {
        flush();
        return { parts, end: i };
      }
      literalDepth--;
    }
    if (inBraces && ch === '{') literalDepth++;
    if (ch !== '$') {
      literal += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      flush();
      if (depth >= MAX_INTERPOLATION_DEPTH) {
        throw new SyntaxProblem(`input limit: \`\${…}\` expressions nest deeper than ${MAX_INTERPOLATION_DEPTH} levels (the limit)`, i);
      }
      const parsed = parseBraced(text, i, depth + 1);
      parts.push(parsed.part);
      i = parsed.end;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      flush();
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      parts.push({ kind: 'var', name: text.slice(i + 1, j), word: [], expression: text.slice(i, j), offset: i });
      i = j;
      continue;
    }
    throw new SyntaxProblem(
      `invalid interpolation format: \`$\` must be followed by a variable name, \`{\` or another \`$\``,
      i,
    );
  }
  if (inBraces) throw new SyntaxProblem('invalid interpolation format: `${` is never closed with `}`', start);
  flush();
  return { parts, end: i };
}

function parseBraced(text: string, start: number, depth: number): { part: Part; end: number } {
  let j = start + 2;
  if (j >= text.length || !NAME_START.test(text[j]!)) {
    throw new SyntaxProblem('invalid interpolation format: `${` must be followed by a variable name', start);
  }
  while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
  const name = text.slice(start + 2, j);
  if (text[j] === '}') {
    return { part: { kind: 'var', name, word: [], expression: text.slice(start, j + 1), offset: start }, end: j + 1 };
  }
  const operator = OPERATORS.find((op) => text.startsWith(op, j));
  if (!operator) {
    if (j >= text.length) throw new SyntaxProblem('invalid interpolation format: `${` is never closed with `}`', start);
    throw new SyntaxProblem(
      `invalid interpolation format: unexpected \`${text[j]}\` after \${${name}; expected \`}\`, \`:-\`, \`-\`, \`:?\`, \`?\`, \`:+\` or \`+\``,
      start,
    );
  }
  const inner = parseParts(text, j + operator.length, true, depth);
  if (inner.end >= text.length) throw new SyntaxProblem('invalid interpolation format: `${` is never closed with `}`', start);
  return {
    part: { kind: 'var', name, operator, word: inner.parts, expression: text.slice(start, inner.end + 1), offset: start },
    end: inner.end + 1,
  };
}

function evaluate(parts: Part[], env: Environment, references: StringReference[], problems: InterpolationProblem[]): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const raw = Object.prototype.hasOwnProperty.call(env, part.name) ? env[part.name] : undefined;
    const isSet = raw !== undefined;
    const isNonEmpty = isSet && raw !== '';
    const reference: StringReference = {
      name: part.name,
      expression: part.expression,
      offset: part.offset,
      value: raw,
      defaulted: false,
    };
    if (part.operator) reference.operator = part.operator;
    references.push(reference);
    const word = (): string => evaluate(part.word, env, references, problems);
    switch (part.operator) {
      case undefined:
        out += raw ?? '';
        break;
      case ':-':
      case '-':
        if (part.operator === ':-' ? isNonEmpty : isSet) out += raw ?? '';
        else {
          reference.defaulted = true;
          out += word();
        }
        break;
      case ':?':
      case '?':
        if (part.operator === ':?' ? isNonEmpty : isSet) out += raw ?? '';
        else {
          const detail = word();
          problems.push({
            kind: 'required',
            name: part.name,
            expression: part.expression,
            offset: part.offset,
            message: `required variable ${part.name} is ${isSet ? 'empty' : 'not set'}${detail ? `: ${detail}` : ''}`,
          });
        }
        break;
      case ':+':
      case '+':
        if (part.operator === ':+' ? isNonEmpty : isSet) {
          reference.defaulted = true;
          out += word();
        }
        break;
    }
  }
  return out;
}

/**
 * Paths interpolation leaves alone: `x-` extensions at the top level and in services (their values reach
 * services through anchors, or — stack.yaml's `x-compose` — go to docker compose as written).
 */
export function isExtensionPath(p: KeyPath): boolean {
  return (p.length >= 1 && typeof p[0] === 'string' && p[0].startsWith('x-')) || (p[0] === 'services' && p.length >= 3 && typeof p[2] === 'string' && p[2].startsWith('x-'));
}

export interface TreeInterpolationOptions {
  /** Key path of `value` inside the document (default: the root). */
  path?: KeyPath;
  /** Paths whose strings are kept verbatim (no interpolation, no references). */
  skip?: (path: KeyPath) => boolean;
  /** Service a path belongs to; default: `services.<name>.…` → name. */
  serviceOf?: (path: KeyPath) => string | undefined;
}

export interface TreeInterpolation {
  value: unknown;
  references: VariableReference[];
  diagnostics: Diagnostic[];
}

/**
 * Interpolates every string value (not keys) of a parsed document. `:?` failures are INTERP002 errors and
 * malformed expressions INTERP001 errors, each at the expression's file:line:col. Never throws.
 */
export function interpolateTree(value: unknown, env: Environment, source: YamlSource, options: TreeInterpolationOptions = {}): TreeInterpolation {
  const references: VariableReference[] = [];
  const diagnostics: Diagnostic[] = [];
  const serviceOf = options.serviceOf ?? defaultServiceOf;

  const visit = (node: unknown, path: Array<string | number>): unknown => {
    if (options.skip?.(path)) return node;
    if (typeof node === 'string') {
      const result = interpolateString(node, env);
      const service = serviceOf(path);
      const locateExpression = (expression: string, offset: number) =>
        source.locateInScalar(path, expression, countBefore(node, expression, offset));
      for (const ref of result.references) {
        const reference: VariableReference = {
          name: ref.name,
          expression: ref.expression,
          path: [...path],
          location: locateExpression(ref.expression, ref.offset),
          defaulted: ref.defaulted,
        };
        if (service !== undefined) reference.service = service;
        if (ref.value !== undefined) reference.value = ref.value;
        if (ref.operator) reference.operator = ref.operator;
        references.push(reference);
      }
      for (const problem of result.problems) {
        const diagnostic: Diagnostic = {
          code: problem.kind === 'syntax' ? 'INTERP001' : 'INTERP002',
          severity: 'error',
          location: problem.kind === 'syntax' ? source.locate(path) : locateExpression(problem.expression, problem.offset),
          message: problem.kind === 'syntax' ? `${problem.message} in "${truncate(node)}"` : problem.message,
          hint:
            problem.kind === 'syntax'
              ? problem.message.startsWith('input limit')
                ? 'nest fewer defaults: `${A:-${B:-x}}` chains are read at most that deep'
                : 'write `$$` for a literal `$`; variables are `$NAME` or `${NAME}` with optional `:-default`, `:?message`, `:+alternative`'
              : `set ${problem.name} in the environment or in the .env file beside the stack file`,
        };
        if (service !== undefined) diagnostic.service = service;
        diagnostics.push(diagnostic);
      }
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = visit(item, [...path, key]);
      return out;
    }
    return node;
  };

  const result = visit(value, [...(options.path ?? [])]);
  return { value: result, references, diagnostics };
}

function defaultServiceOf(path: KeyPath): string | undefined {
  return path[0] === 'services' && typeof path[1] === 'string' ? path[1] : undefined;
}

function countBefore(text: string, needle: string, offset: number): number {
  let count = 0;
  let index = text.indexOf(needle);
  while (index >= 0 && index < offset) {
    count++;
    index = text.indexOf(needle, index + needle.length);
  }
  return count;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Process environment over the env files' variables; among files, a later one wins (as in compose). */
export function mergeEnvironment(processEnv: Environment, ...files: Array<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const vars of files) Object.assign(out, vars);
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) out[key] = value;
  return out;
}
