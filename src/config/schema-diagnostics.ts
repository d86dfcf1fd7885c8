/**
 * zod issues → Diagnostics at file:line:col, all of them, each with a hint a person can act on:
 * unknown keys get "did you mean", unions report the branch the value was meant for, missing keys
 * point at the mapping that lacks them.
 */
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import type { Diagnostic } from '../diagnostic.js';
import type { KeyPath, YamlSource } from './yaml-source.js';
import { didYouMean } from './normalize.js';

export const SCHEMA_TYPE = 'SCHEMA001';
export const SCHEMA_UNKNOWN_KEY = 'SCHEMA002';
export const SCHEMA_MISSING_KEY = 'SCHEMA003';

export function zodIssuesToDiagnostics(
  issues: readonly ZodIssue[],
  source: YamlSource,
  schema: ZodTypeAny,
  options: { basePath?: KeyPath; value?: unknown } = {},
): Diagnostic[] {
  const base = options.basePath ?? [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic): void => {
    const key = `${d.location.line}:${d.location.col}:${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  for (const issue of flatten(issues)) {
    const issuePath = issue.path as Array<string | number>;
    const full = [...base, ...issuePath];
    const service = full[0] === 'services' && typeof full[1] === 'string' ? full[1] : undefined;
    const where = describePath(issuePath);
    const withService = (d: Diagnostic): Diagnostic => (service !== undefined ? { ...d, service } : d);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issuePath);
      for (const key of issue.keys) {
        const guess = didYouMean(key, known);
        push(
          withService({
            code: SCHEMA_UNKNOWN_KEY,
            severity: 'error',
            location: source.locateKey([...full, key]),
            message: `unknown key \`${key}\`${where ? ` in ${where}` : ''}${guess ? ` — did you mean \`${guess}\`?` : ''}`,
            hint: guess
              ? `rename \`${key}\` to \`${guess}\``
              : known.length > 0
                ? `allowed here: ${known.join(', ')}`
                : 'remove this key',
          }),
        );
      }
      continue;
    }
    if (issue.code === 'invalid_type' && issue.received === 'undefined') {
      const key = issuePath[issuePath.length - 1];
      push(
        withService({
          code: SCHEMA_MISSING_KEY,
          severity: 'error',
          location: source.locateKey(full.slice(0, -1)),
          message: `missing required key \`${String(key)}\`${issuePath.length > 1 ? ` in ${describePath(issuePath.slice(0, -1))}` : ''}`,
          hint: missingHint(String(key)),
        }),
      );
      continue;
    }
    const got = issue.code === 'invalid_type' ? ` (got ${describeReceived(valueAt(options.value, issuePath), issue.received)})` : '';
    push(
      withService({
        code: SCHEMA_TYPE,
        severity: 'error',
        location: issue.code === 'invalid_string' || issue.code === 'custom' ? source.locate(full) : source.locate(full),
        message: `${where ? `${where}: ` : ''}${issue.message}${got}`,
        hint: typeHint(issue),
      }),
    );
  }
  return out;
}

/** Replaces each union failure with the failures of the branch the value was meant for. */
function flatten(issues: readonly ZodIssue[]): ZodIssue[] {
  const out: ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'invalid_union') {
      out.push(issue);
      continue;
    }
    const depth = issue.path.length;
    // A branch "fits" when its failures are deeper than the union itself (the value had that branch's
    // shape but something inside is wrong); a root-level type mismatch means "not this branch".
    const fitting = issue.unionErrors
      .map((error) => error.issues)
      .filter((branch) => branch.length > 0 && !branch.some((i) => i.path.length === depth && (i.code === 'invalid_type' || i.code === 'invalid_union')));
    if (fitting.length > 0) {
      // Prefer the branch with the fewest problems.
      fitting.sort((a, b) => a.length - b.length);
      out.push(...flatten(fitting[0]!));
    } else {
      out.push(issue);
    }
  }
  return out;
}

/** Keys the object schema at `path` accepts (for "did you mean"). */
export function knownKeys(schema: ZodTypeAny, path: ReadonlyArray<string | number>): string[] {
  const candidates = schemasAt(schema, path);
  const keys = new Set<string>();
  for (const candidate of candidates) {
    const object = unwrap(candidate);
    if (object instanceof z.ZodObject) for (const key of Object.keys(object.shape as object)) keys.add(key);
  }
  return [...keys];
}

function schemasAt(schema: ZodTypeAny, path: ReadonlyArray<string | number>): ZodTypeAny[] {
  let current: ZodTypeAny[] = [schema];
  for (const segment of path) {
    const next: ZodTypeAny[] = [];
    for (const s of current.flatMap(expandUnion)) {
      const t = unwrap(s);
      if (t instanceof z.ZodObject && typeof segment === 'string') {
        const field = (t.shape as Record<string, ZodTypeAny>)[segment];
        if (field) next.push(field);
      } else if (t instanceof z.ZodRecord) next.push(t.valueSchema as ZodTypeAny);
      else if (t instanceof z.ZodArray && typeof segment === 'number') next.push(t.element as ZodTypeAny);
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: ZodTypeAny): ZodTypeAny[] {
  const t = unwrap(schema);
  return t instanceof z.ZodUnion ? (t.options as ZodTypeAny[]).flatMap(expandUnion) : [t];
}

function unwrap(schema: ZodTypeAny): ZodTypeAny {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodDefault) s = s.removeDefault() as ZodTypeAny;
    else if (s instanceof z.ZodEffects) s = s.innerType() as ZodTypeAny;
    else return s;
  }
}

function valueAt(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[segment];
  }
  return v;
}

function describeReceived(value: unknown, received: string): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${received} ${String(value)}`;
  return received;
}

/** `services.web.ports[0]` */
export function describePath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out;
}

function missingHint(key: string): string {
  switch (key) {
    case 'name':
      return 'add `name: <stack name>` at the top of the file (lower case, e.g. `name: myapp`)';
    case 'services':
      return 'add a `services:` map with at least one service';
    case 'context':
      return 'write `build: { context: DIR }` or simply `build: DIR`';
    case 'target':
      return 'add `target:` with the port or path inside the container';
    case 'user':
      return 'write the probe credentials as variables, e.g. `postgres: { user: ${POSTGRES_USER}, password: ${POSTGRES_PASSWORD} }`';
    default:
      return `add \`${key}\``;
  }
}

function typeHint(issue: ZodIssue): string {
  const message = issue.message;
  if (message.includes('port "') || message.includes('port range')) return 'write ports as "HOST:CONTAINER", "IP:HOST:CONTAINER" or a container port';
  if (message.includes('volume')) return 'write volumes as "NAME:/path", "./dir:/path:ro" or { type, source, target }';
  if (message.includes('restart')) return 'use no, always, on-failure, on-failure:3 or unless-stopped';
  if (message.includes('quote')) return 'close the quote, or write the command as a list';
  if (message.includes('expected a list')) return 'write it as a YAML list: `[a, b]`, or one `- item` per line';
  if (message.includes('list of strings')) return 'write it as a YAML list, e.g. `[A, B]` or one `- item` per line';
  if (message.includes('duration')) return 'durations are written like 30s, 1m30s, 500ms or 2h';
  if (message.includes('port')) return 'ports are numbers from 1 to 65535';
  if (message.includes('map')) return 'write it as a YAML mapping (`key: value` lines)';
  if (message.includes('true or false')) return 'write true or false (without quotes)';
  if (message.includes('stack name')) return 'e.g. `name: pyairtable`';
  if (message.includes('service name')) return 'rename the service, e.g. `my-service`';
  return 'see docs/stack-yaml.md for the expected shape';
}
