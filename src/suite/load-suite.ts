/**
 * Suite files → Suite. Every problem is a Diagnostic at file:line:col with a hint; all of them are
 * collected, and SuiteError carries the list. Checked here, before anything runs: the schema,
 * exactly one kind per check, unique ids, `requires:` naming an earlier check, every
 * `${captures.x}` captured by an earlier check (which then becomes an implicit requirement),
 * `${vars.x}` declared, `${services.S…}` and `service:` naming a service of the stack.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { Stack } from '../config/model.js';
import { didYouMean, parseDuration } from '../config/normalize.js';
import { zodIssuesToDiagnostics } from '../config/schema-diagnostics.js';
import { readYamlSource, type KeyPath, type YamlSource } from '../config/yaml-source.js';
import { ConfigError, type SourceLocation } from '../errors.js';
import type { CheckKind } from '../report/model.js';
import { slug } from '../slug.js';
import type { Diagnostic } from '../diagnostic.js';
import {
  DEFAULT_BROWSER_TIMEOUT_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_EXTERNAL_TIMEOUT_MS,
  type BrowserStep,
  type Capture,
  type CheckSpec,
  type HttpExpectation,
  type HttpRequestSpec,
  type JsonMatcher,
  type StatusExpectation,
  type Suite,
  type SuiteCheck,
  type SuiteVar,
} from './model.js';
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

export function parseStatus(spec: number | string | Array<number | string> | undefined, fallback: StatusExpectation): StatusExpectation | string {
  if (spec === undefined) return fallback;
  const items = Array.isArray(spec) ? spec : [spec];
  const out: StatusExpectation = [];
  for (const item of items) {
    const text = String(item).trim();
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(text))) out.push({ min: Number(m[1]) * 100, max: Number(m[1]) * 100 + 99 });
    else if ((m = /^(\d{3})\s*-\s*(\d{3})$/.exec(text)) && Number(m[1]) <= Number(m[2])) out.push({ min: Number(m[1]), max: Number(m[2]) });
    else if (/^\d{3}$/.test(text)) out.push({ min: Number(text), max: Number(text) });
    else return `invalid status "${text}": use 200, "2xx", "200-299" or a list of them`;
  }
  return out;
}

function jsonMatchers(value: unknown): JsonMatcher[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const m = value as Record<string, unknown>;
    const out: JsonMatcher[] = [];
    if ('equals' in m) out.push({ op: 'equals', value: m.equals });
    if (typeof m.exists === 'boolean') out.push({ op: 'exists', value: m.exists });
    if (typeof m.matches === 'string') out.push({ op: 'matches', pattern: m.matches });
    if (typeof m.type === 'string') out.push({ op: 'type', type: m.type as Extract<JsonMatcher, { op: 'type' }>['type'] });
    if (typeof m.min_length === 'number') out.push({ op: 'min_length', value: m.min_length });
    if (typeof m.gte === 'number') out.push({ op: 'gte', value: m.gte });
    if (typeof m.lte === 'number') out.push({ op: 'lte', value: m.lte });
    return out;
  }
  return [{ op: 'equals', value }];
}

export function isSecretCaptureName(name: string): boolean {
  return /token|secret|password|passwd|jwt|session|cookie|api_?key|credential/i.test(name);
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
      const id = raw.id === undefined ? `${slug(category.name)}/${slug(raw.name)}` : raw.id.includes('/') ? raw.id : `${slug(category.name)}/${raw.id}`;
      if (ids.has(id)) {
        problem(raw.id === undefined ? [...base, 'name'] : [...base, 'id'], `duplicate check id "${id}"`, 'give one of the checks its own `id:`');
        return;
      }
      ids.set(id, base);
      if (raw.service !== undefined) checkService(raw.service, [...base, 'service']);
      if (kind !== 'http' && raw.expect !== undefined) problem([...base, 'expect'], `expect: applies to http checks, not ${kind}`, `${kind} checks take their limits inside ${kind}:`, true);
      if (kind !== 'http' && raw.capture !== undefined) problem([...base, 'capture'], `capture: applies to http checks, not ${kind}`, 'capture from an http check', true);
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
      const needsService = (what: string): string | undefined => {
        if (raw.service !== undefined) return raw.service;
        problem(base, `check "${raw.name}" needs a service to build its ${what} from`, `add \`service: <name>\`, or give a full ${what}`);
        return undefined;
      };

      let spec: CheckSpec | undefined;
      let defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS;
      const request = (fields: { method?: string; url?: string; path?: string; headers?: Record<string, string>; json?: unknown; body?: string; follow_redirects?: boolean }, at: KeyPath): HttpRequestSpec | undefined => {
        if (fields.url !== undefined && fields.path !== undefined) {
          problem([...at, 'path'], 'give url: or path:, not both', 'path: is appended to ${services.<service>.url}', true);
          return undefined;
        }
        let url = fields.url;
        if (url === undefined) {
          if (fields.path === undefined) {
            problem(at, 'no url: or path:', 'add `path: /health` (with service:) or `url: ${services.NAME.url}/health`');
            return undefined;
          }
          const service = needsService('URL');
          if (service === undefined) return undefined;
          url = `\${services.${service}.url}${fields.path.startsWith('/') ? '' : '/'}${fields.path}`;
        }
        if (fields.json !== undefined && fields.body !== undefined) {
          problem([...at, 'body'], 'give json: or body:, not both', 'json: sends a JSON document, body: raw text', true);
          return undefined;
        }
        const hasBody = fields.json !== undefined || fields.body !== undefined;
        const headers: Record<string, string> = { ...defaultHeaders, ...(fields.headers ?? {}) };
        const spec: HttpRequestSpec = { method: (fields.method ?? (hasBody ? 'POST' : 'GET')).toUpperCase(), url, headers, followRedirects: fields.follow_redirects ?? false };
        if (fields.json !== undefined) spec.body = { kind: 'json', value: fields.json };
        else if (fields.body !== undefined) spec.body = { kind: 'text', text: fields.body };
        return spec;
      };
      const endpoint = (fields: { host?: string; port?: number | string }, what: string): { host: string; port: string } | undefined => {
        if (fields.host !== undefined && typeof fields.port === 'string') return { host: fields.host, port: fields.port };
        const service = needsService(`${what} address`);
        if (service === undefined) return undefined;
        return {
          host: fields.host ?? `\${services.${service}.host}`,
          port: fields.port === undefined ? `\${services.${service}.port}` : typeof fields.port === 'number' ? `\${services.${service}.ports.${fields.port}}` : fields.port,
        };
      };

      switch (kind) {
        case 'http': {
          const req = request(raw.http ?? {}, [...base, 'http']);
          const status = parseStatus(raw.expect?.status, [{ min: 200, max: 299 }]);
          if (typeof status === 'string') problem([...base, 'expect', 'status'], status, 'e.g. status: 201');
          for (const pattern of [raw.expect?.body, ...Object.values(raw.expect?.headers ?? {})]) {
            if (pattern === undefined || pattern.includes('${')) continue;
            try {
              new RegExp(pattern);
            } catch (error) {
              problem([...base, 'expect'], `invalid regular expression /${pattern}/: ${(error as Error).message}`, 'fix the pattern (JavaScript syntax)');
            }
          }
          const captures: Capture[] = [];
          for (const [name, c] of Object.entries(raw.capture ?? {})) {
            const at: KeyPath = [...base, 'capture', name];
            if (typeof c === 'string') {
              captures.push({ name, from: { json: c }, secret: isSecretCaptureName(name) });
              continue;
            }
            const sources = [c.json, c.header ?? c.regex].filter((x) => x !== undefined);
            if (sources.length !== 1) {
              problem(at, `capture "${name}" needs exactly one of json:, header:, regex:`, 'e.g. `token: { json: access_token }` (header: may be narrowed by regex:)');
              continue;
            }
            const group = c.regex === undefined ? 0 : (c.group ?? (/\((?!\?)/.test(c.regex) ? 1 : 0));
            const from: Capture['from'] =
              c.json !== undefined
                ? { json: c.json }
                : c.header !== undefined
                  ? { header: c.header.toLowerCase(), ...(c.regex !== undefined ? { regex: c.regex } : {}), group }
                  : { regex: c.regex as string, group };
            captures.push({ name, from, secret: c.secret ?? isSecretCaptureName(name) });
          }
          if (req && typeof status !== 'string') {
            const expect: HttpExpectation = {
              status,
              json: Object.entries(raw.expect?.json ?? {}).map(([path, value]) => ({ path, matchers: jsonMatchers(value) })),
              headers: Object.fromEntries(Object.entries(raw.expect?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
            };
            if (raw.expect?.body !== undefined) expect.body = raw.expect.body;
            if (raw.expect?.max_ms !== undefined) expect.maxMs = raw.expect.max_ms;
            spec = { kind: 'http', request: req, expect, captures };
          }
          for (const capture of captures) captureProviders.set(capture.name, id);
          break;
        }
        case 'tcp': {
          const ep = endpoint(raw.tcp ?? {}, 'TCP');
          if (ep) spec = { kind: 'tcp', ...ep };
          break;
        }
        case 'postgres': {
          const pg = raw.postgres;
          const ep = pg && endpoint(pg, 'postgres');
          if (pg && ep) spec = { kind: 'postgres', ...ep, user: pg.user, password: pg.password, database: pg.database };
          break;
        }
        case 'redis': {
          const r = raw.redis;
          const ep = r && endpoint(r, 'redis');
          if (r && ep) spec = { kind: 'redis', ...ep, ...(r.password !== undefined ? { password: r.password } : {}) };
          break;
        }
        case 'load': {
          const l = raw.load;
          if (!l) break;
          defaultTimeoutMs = 60_000;
          const req = request(l, [...base, 'load']);
          const status = parseStatus(l.status, [{ min: 200, max: 299 }]);
          if (typeof status === 'string') problem([...base, 'load', 'status'], status, 'e.g. status: 200');
          const requests = l.requests ?? 50;
          if (req && typeof status !== 'string') {
            spec = {
              kind: 'load',
              request: req,
              requests,
              concurrency: Math.min(l.concurrency ?? requests, requests),
              status,
              minSuccessRate: l.min_success_rate ?? 100,
              ...(l.max_avg_ms !== undefined ? { maxAvgMs: l.max_avg_ms } : {}),
              ...(l.max_p95_ms !== undefined ? { maxP95Ms: l.max_p95_ms } : {}),
              ...(l.max_ms !== undefined ? { maxMs: l.max_ms } : {}),
            };
          }
          break;
        }
        case 'metric': {
          const m = raw.metric;
          if (!m) break;
          if (m.max === undefined && m.min === undefined) problem([...base, 'metric'], `metric ${m.name} has no limit`, 'add max: or min:');
          spec = { kind: 'metric', metric: m.name, ...(m.max !== undefined ? { max: m.max } : {}), ...(m.min !== undefined ? { min: m.min } : {}) };
          break;
        }
        case 'external': {
          const e = raw.external;
          if (!e) break;
          defaultTimeoutMs = DEFAULT_EXTERNAL_TIMEOUT_MS;
          const shell = typeof e.command === 'string';
          spec = {
            kind: 'external',
            command: typeof e.command === 'string' ? [e.command] : e.command,
            shell,
            cwd: resolve(dirname(source.file), e.cwd ?? '.'),
            env: e.env ?? {},
            junit: e.junit ?? '${step.junit}',
          };
          break;
        }
        case 'browser': {
          const b = raw.browser;
          if (!b) break;
          defaultTimeoutMs = DEFAULT_BROWSER_TIMEOUT_MS;
          let baseUrl = b.url;
          if (baseUrl === undefined) {
            const service = needsService('start URL');
            if (service !== undefined) baseUrl = `\${services.${service}.url}`;
          }
          if (baseUrl !== undefined) {
            spec = {
              kind: 'browser',
              baseUrl,
              steps: b.steps.map((step, si) => ({ step: step as BrowserStep, location: source.locate([...base, 'browser', 'steps', si]) })),
            };
          }
          break;
        }
      }

      let timeoutMs = defaultTimeout?.ok ? defaultTimeout.value : defaultTimeoutMs;
      if (kind === 'external' || kind === 'browser' || kind === 'load') timeoutMs = Math.max(timeoutMs, defaultTimeoutMs);
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

  diagnostics.push(...problems.sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col));
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
