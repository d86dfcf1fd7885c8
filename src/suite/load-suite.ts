/**
 * Suite files → Suite. Every problem is a Diagnostic at file:line:col with a hint; all of them are
 * collected, and SuiteError carries the list. Each check kind parses its own section beside its
 * runner (checks/<kind>.ts, registered in checks/parsers.ts). Checked here, before anything runs: the schema,
 * exactly one kind per check, unique ids, `requires:` naming an earlier check, every
 * `${captures.x}` captured by an earlier check (which then becomes an implicit requirement),
 * `${vars.x}` declared, `${services.S…}` and `service:` naming a service of the stack.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Stack } from '../config/model.js';
import { didYouMean, parseDuration } from '../config/normalize.js';
import { zodIssuesToDiagnostics } from '../config/schema-diagnostics.js';
import { readYamlSource, type KeyPath, type YamlSource } from '../config/yaml-source.js';
import { ConfigError, sortByLocation, type SourceLocation } from '../errors.js';
import type { CheckKind } from '../report/model.js';
import { slug } from '../slug.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Suite, SuiteCheck, SuiteVar } from './model.js';
import { PARSERS } from './checks/parsers.js';
import { CHECK_KINDS, suiteSchema, type CheckFile, type SuiteFile } from './schema.js';
import { stringsIn, TemplateError, templateRefs } from './template.js';

export class SuiteError extends ConfigError {
  constructor(readonly diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more problem${diagnostics.length > 2 ? 's' : ''})` : '';
    super(`${first?.message ?? 'invalid suite'}${more}`, {
      ...(first ? { location: first.location } : {}),
      hint: first?.hint ?? 'see docs/suite-report.md for the suite format',
    });
  }
}

export interface LoadSuiteOptions {
  /** The stack the suite runs against: service names are checked against it. */
  stack?: Pick<Stack, 'services'>;
}

const SERVICE_ATTRS = new Set(['url', 'host', 'port']);
const RUN_ATTRS = new Set(['id', 'random']);
const STEP_ATTRS = new Set(['junit', 'dir']);

function diag(code: string, location: SourceLocation, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', location, message, hint };
}

export async function loadSuite(file: string, options: LoadSuiteOptions = {}): Promise<Suite> {
  const source = await readYamlSource(resolve(file));
  const { suite, diagnostics } = parseSuite(source, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!suite || errors.length > 0) throw new SuiteError(errors.length > 0 ? errors : diagnostics);
  return suite;
}

/** Pure: a parsed source → Suite, or the diagnostics that prevent it. */
export function parseSuite(source: YamlSource, options: LoadSuiteOptions = {}): { suite?: Suite; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  if (!source.ok) return { diagnostics };
  if (source.value === undefined || source.value === null) {
    diagnostics.push(diag('SUITE001', source.locate([]), 'the suite file is empty', 'start with `version: 1`, `name:` and `categories:` (docs/suite-report.md)'));
    return { diagnostics };
  }
  const parsed = suiteSchema.safeParse(source.value);
  if (!parsed.success) {
    diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, source, suiteSchema, { value: source.value }));
    return { diagnostics };
  }
  const file: SuiteFile = parsed.data;
  const problems: Diagnostic[] = [];
  const problem = (path: KeyPath, message: string, hint: string, key = false): void => {
    problems.push(diag('SUITE002', key ? source.locateKey(path) : source.locate(path), message, hint));
  };
  const serviceNames = options.stack?.services.map((s) => s.name);
  const checkService = (name: string, path: KeyPath): void => {
    if (!serviceNames || serviceNames.includes(name)) return;
    const guess = didYouMean(name, serviceNames);
    problem(path, `unknown service "${name}"`, guess ? `did you mean "${guess}"?` : `the stack's services are: ${serviceNames.join(', ')}`);
  };

  const vars: SuiteVar[] = Object.entries(file.vars ?? {}).map(([name, value]) =>
    typeof value === 'object' ? { name, value: String(value.value), secret: value.secret ?? false } : { name, value: String(value), secret: false },
  );
  const varNames = new Set(vars.map((v) => v.name));
  const defaultTimeout = file.defaults?.timeout === undefined ? undefined : parseDuration(file.defaults.timeout);
  if (defaultTimeout && !defaultTimeout.ok) problem(['defaults', 'timeout'], defaultTimeout.error, 'a duration such as 10s or 500ms');
  const defaultHeaders = file.defaults?.headers ?? {};

  const checks: SuiteCheck[] = [];
  const ids = new Map<string, KeyPath>();
  const captureProviders = new Map<string, string>();

  const validateTemplates = (value: unknown, path: KeyPath, extra: { step?: boolean; earlierCaptures: Map<string, string>; implicit: Set<string> }): void => {
    for (const { text, path: sub } of stringsIn(value)) {
      const at = [...path, ...sub];
      let refs;
      try {
        refs = templateRefs(text);
      } catch (error) {
        problem(at, error instanceof TemplateError ? error.message : String(error), 'templates look like ${VAR}, ${vars.x}, ${captures.x}, ${services.NAME.url}; write $$ for a literal $');
        continue;
      }
      for (const ref of refs) {
        const [ns, ...rest] = ref.name.split('.');
        const where = source.locateInScalar(at, ref.expression);
        const fail = (message: string, hint: string): void => {
          problems.push(diag('SUITE003', where, message, hint));
        };
        if (rest.length === 0) continue; // an environment variable
        if (ns === 'vars') {
          if (!varNames.has(rest.join('.'))) fail(`${ref.expression}: no suite variable "${rest.join('.')}"`, `declare it under vars: (declared: ${[...varNames].join(', ') || 'none'})`);
        } else if (ns === 'captures') {
          const name = rest.join('.');
          const provider = extra.earlierCaptures.get(name);
          if (provider) extra.implicit.add(provider);
          else if (!ref.hasDefault) fail(`${ref.expression}: no earlier check captures "${name}"`, 'add `capture: { ' + name + ': <json path> }` to an earlier check, or give a default: ${captures.' + name + ':-…}');
        } else if (ns === 'services') {
          const [service, attr, port] = rest;
          if (service === undefined) continue;
          checkService(service, at);
          const valid = (attr !== undefined && SERVICE_ATTRS.has(attr) && port === undefined) || (attr === 'ports' && port !== undefined && /^\d+$/.test(port) && rest.length === 3);
          if (!valid) fail(`${ref.expression}: unknown service attribute`, 'use ${services.NAME.url}, .host, .port or .ports.<container port>');
        } else if (ns === 'run') {
          if (!RUN_ATTRS.has(rest.join('.'))) fail(`${ref.expression}: unknown run attribute`, 'use ${run.id} or ${run.random}');
        } else if (ns === 'step') {
          if (!extra.step || !STEP_ATTRS.has(rest.join('.'))) fail(`${ref.expression}: \${step.…} exists only in external steps`, 'use ${step.junit} or ${step.dir} inside external:');
        } else {
          fail(`${ref.expression}: unknown namespace "${ns}"`, 'namespaces: vars, captures, services, run, step (or a plain ${ENV_VAR})');
        }
      }
    }
  };

  for (const [name, value] of Object.entries(file.vars ?? {})) {
    validateTemplates(typeof value === 'object' ? String(value.value) : String(value), ['vars', name], { earlierCaptures: new Map(), implicit: new Set() });
  }

  file.categories.forEach((category, ci) => {
    category.checks.forEach((raw: CheckFile, ki) => {
      const base: KeyPath = ['categories', ci, 'checks', ki];
      const location = source.locate(base);
      const kinds = CHECK_KINDS.filter((kind) => raw[kind] !== undefined);
      if (kinds.length !== 1) {
        problem(base, kinds.length === 0 ? `check "${raw.name}" has no kind` : `check "${raw.name}" has ${kinds.length} kinds (${kinds.join(', ')})`, `give exactly one of: ${CHECK_KINDS.join(', ')}`);
        return;
      }
      const kind = kinds[0] as CheckKind;
      const parser = PARSERS[kind];
      const id = raw.id === undefined ? `${slug(category.name)}/${slug(raw.name)}` : raw.id.includes('/') ? raw.id : `${slug(category.name)}/${raw.id}`;
      if (ids.has(id)) {
        problem(raw.id === undefined ? [...base, 'name'] : [...base, 'id'], `duplicate check id "${id}"`, 'give one of the checks its own `id:`');
        return;
      }
      ids.set(id, base);
      if (raw.service !== undefined) checkService(raw.service, [...base, 'service']);
      if (!parser.takesExpect && raw.expect !== undefined) problem([...base, 'expect'], `expect: applies to http checks, not ${kind}`, `${kind} checks take their limits inside ${kind}:`, true);
      if (!parser.takesExpect && raw.capture !== undefined) problem([...base, 'capture'], `capture: applies to http checks, not ${kind}`, 'capture from an http check', true);
      const health = raw.health ?? category.health ?? false;
      if (health && raw.service === undefined) problem(base, `health check "${raw.name}" names no service`, 'add `service: <name>`: a health check decides its service\'s UP/DOWN');

      const requires: string[] = [];
      for (const [ri, ref] of (raw.requires === undefined ? [] : Array.isArray(raw.requires) ? raw.requires : [raw.requires]).entries()) {
        const candidates = ref.includes('/') ? [ref] : [`${slug(category.name)}/${ref}`, ref];
        const found = candidates.find((candidate) => ids.has(candidate) && candidate !== id);
        if (!found) {
          const guess = didYouMean(ref, [...ids.keys()]);
          problem(Array.isArray(raw.requires) ? [...base, 'requires', ri] : [...base, 'requires'], `requires "${ref}", which is not an earlier check`, guess ? `did you mean "${guess}"?` : 'a check can require only checks above it (by id: `<category slug>/<check slug>` or its `id:`)');
        } else if (!requires.includes(found)) requires.push(found);
      }

      const implicit = new Set<string>();
      const templateScope = { step: kind === 'external', earlierCaptures: new Map(captureProviders), implicit };
      for (const key of ['http', 'tcp', 'postgres', 'redis', 'load', 'external', 'browser', 'expect'] as const) {
        if (raw[key] !== undefined) validateTemplates(raw[key], [...base, key], templateScope);
      }
      const parsed = parser.parse({ raw, base, source, defaultHeaders, problem });
      const spec = parsed.spec;
      for (const name of parsed.provides ?? []) captureProviders.set(name, id);

      let timeoutMs = defaultTimeout?.ok ? defaultTimeout.value : parser.defaultTimeoutMs;
      if (parser.keepsDefaultAsFloor) timeoutMs = Math.max(timeoutMs, parser.defaultTimeoutMs);
      if (raw.timeout !== undefined) {
        const parsedTimeout = parseDuration(raw.timeout);
        if (parsedTimeout.ok && parsedTimeout.value > 0) timeoutMs = parsedTimeout.value;
        else problem([...base, 'timeout'], parsedTimeout.ok ? 'timeout must be above 0' : parsedTimeout.error, 'a duration such as 10s or 500ms');
      }
      for (const provider of implicit) if (!requires.includes(provider) && provider !== id) requires.push(provider);
      if (!spec) return;
      const check: SuiteCheck = { id, name: raw.name, category: category.name, kind, health, requires, timeoutMs, spec, location };
      if (raw.service !== undefined) check.service = raw.service;
      if (raw.skip_reason !== undefined) check.skipReason = raw.skip_reason;
      if (raw.hint !== undefined) check.hint = raw.hint;
      checks.push(check);
    });
  });

  for (const [name] of Object.entries(file.criteria?.categories ?? {})) {
    if (!file.categories.some((c) => c.name === name)) {
      problem(['criteria', 'categories', name], `criterion for unknown category "${name}"`, `categories: ${file.categories.map((c) => c.name).join(', ')}`, true);
    }
  }

  diagnostics.push(...sortByLocation(problems));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return {
    diagnostics,
    suite: {
      name: file.name,
      file: source.file,
      hash: createHash('sha256').update(source.text).digest('hex'),
      categories: file.categories.map((c) => c.name),
      checks,
      vars,
      secrets: file.secrets ?? [],
      categoryCriteria: file.criteria?.categories ?? {},
    },
  };
}
