/**
 * stack.yaml → Stack. Order: stack-level env files → interpolation of the whole document → zod schema
 * (all errors at once) → normalisation of each service (ports, volumes, env, probes, templates).
 * Every problem is a Diagnostic at file:line:col; nothing here throws for any input.
 */
import { parseDevelopWatch } from './develop-watch.js';
import path from 'node:path';
import { packagePath } from '../package-root.js';
import { existsSync } from 'node:fs';
import { sortByLocation, type SourceLocation } from '../errors.js';
import type { Diagnostic } from '../diagnostic.js';
import {
  emptyService,
  dependencyCondition,
  DEFAULT_THRESHOLDS,
  type BuildSpec,
  type Dependency,
  type DependencyCondition,
  type NetworkAttachment,
  type ProbeSpec,
  type Readiness,
  type Service,
  type Stack,
  type StatusRange,
  type VariableReference,
} from './model.js';
import type { LoadResult, ResolvedLoadOptions } from './load-types.js';
import { interpolateString, interpolateTree, isExtensionPath, mergeEnvironment, type Environment } from './interpolate.js';
import { loadEnvFile } from './env-file.js';
import { readYamlSource, type KeyPath, type YamlSource } from './yaml-source.js';
import {
  probeTemplateSchema,
  stackSchema,
  stripExtensions,
  type BuildDocument,
  type ProbeTemplateDocument,
  type ReadinessDocument,
  type ServiceDocument,
  type StackDocument,
} from './schema.js';
import { zodIssuesToDiagnostics } from './schema-diagnostics.js';
import {
  environmentEntries,
  parseDuration,
  parsePortLong,
  parsePortShort,
  parseRestart,
  parseVolumeLong,
  parseVolumeShort,
  shellSplit,
  type Parsed,
} from './normalize.js';
import { isRecord } from '../is-record.js';
import { collectSecretValues, secretValuesOfEnv } from './secret-values.js';
import { ALLOWED_PATHS_VARIABLE, insideProject, projectRoot } from './read-input.js';
import { notAStackFile } from './stack-file-shape.js';

const TEMPLATE_KEYS = ['tcp', 'http', 'postgres', 'redis', 'exec', 'log', 'timeout', 'description', 'params', 'parameters'];
import { parseSecretNamePolicy } from '../secret-names.js';

/** Directory of the healthchecks/ templates shipped with stackctl (fallback for `readiness.use`). */
export const BUNDLED_HEALTHCHECKS_DIR = packagePath('healthchecks');

export const DEFAULT_POSTGRES_PORT = 5432;
export const DEFAULT_REDIS_PORT = 6379;

interface Context {
  source: YamlSource;
  dir: string;
  cwd: string;
  env: Record<string, string>;
  diagnostics: Diagnostic[];
  variables: VariableReference[];
}

export async function loadStackYaml(source: YamlSource, options: ResolvedLoadOptions): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  let knownEnv: Record<string, string | undefined> = options.env;
  const result = (stack?: Stack): LoadResult => {
    const all = sortByLocation(diagnostics);
    const failed = all.some((d) => d.severity === 'error');
    if (failed || !stack) return { diagnostics: all, format: 'stackctl', secretValues: secretValuesOfEnv(knownEnv, declaredSecrets(source.value), parseSecretNamePolicy(source.value)) };
    return { stack, diagnostics: all, format: 'stackctl', secretValues: stack.secretValues };
  };
  if (!source.ok) return result();
  const file = source.file;
  const dir = path.dirname(file);
  const raw = source.value;
  if (raw === null || raw === undefined) {
    diagnostics.push({
      code: 'SCHEMA003',
      severity: 'error',
      location: { file, line: 0, col: 0 },
      message: 'the stack file is empty',
      hint: 'a stack.yaml needs at least `name:` and `services:` (see docs/stack-yaml.md)',
    });
    return result();
  }

  // 1. Stack-level env files: the variables interpolation sees (process env wins).
  const fileVars: Array<Record<string, string>> = [];
  const envFileValue = isRecord(raw) ? raw.env_file : undefined;
  const processEnv = options.env as Environment;
  if (envFileValue === undefined || options.envFiles) {
    // --env-file replaces the stack's own env files (as with docker compose --env-file): each must exist.
    for (const envFile of options.envFiles ?? [path.join(dir, '.env')]) {
      const loaded = await loadEnvFile(envFile, { optional: options.envFiles === undefined, env: options.env }, mergeEnvironment(processEnv, ...fileVars));
      diagnostics.push(...loaded.diagnostics);
      fileVars.push(loaded.vars);
    }
  } else {
    const list = typeof envFileValue === 'string' ? [envFileValue] : Array.isArray(envFileValue) ? envFileValue : [];
    for (const [index, entry] of list.entries()) {
      if (typeof entry !== 'string') continue; // the schema reports it
      const at = typeof envFileValue === 'string' ? ['env_file'] : ['env_file', index];
      const name = interpolateString(entry, processEnv).value;
      const envFile = path.resolve(dir, name);
      const loaded = await loadEnvFile(envFile, { optional: true, referencedFrom: source.locate(at), env: options.env, project: dir, ...(options.cwd ? { cwd: options.cwd } : {}) }, mergeEnvironment(processEnv, ...fileVars));
      diagnostics.push(...loaded.diagnostics);
      if (!loaded.found && loaded.diagnostics.length === 0) {
        const example = [`${envFile}.example`, path.join(dir, '.env.example')].find((candidate) => existsSync(candidate));
        diagnostics.push({
          code: 'ENVFILE002',
          severity: 'warning',
          location: source.locate(at),
          message: `env file ${name} does not exist, so the variables it would set are unset`,
          hint: example
            ? `create it from ${path.relative(dir, example) || example} (e.g. \`cp ${path.relative(dir, example)} ${name}\`) and fill in the values`
            : `create ${name} with KEY=value lines, or export the variables`,
        });
      }
      fileVars.push(loaded.vars);
    }
  }
  const env = mergeEnvironment(processEnv, ...fileVars);
  knownEnv = env;

  // 2. Interpolation of every string value.
  const interpolated = interpolateTree(raw, env, source, { skip: isExtensionPath });
  diagnostics.push(...interpolated.diagnostics);

  // 3. Schema: every problem at once.
  const parsed = stackSchema.safeParse(stripExtensions(interpolated.value));
  if (!parsed.success) {
    diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, source, stackSchema, { value: interpolated.value }));
    return result();
  }
  if (diagnostics.some((d) => d.severity === 'error')) return result();

  // 4. Normalisation.
  const ctx: Context = { source, dir, cwd: options.cwd, env, diagnostics, variables: [...interpolated.references] };
  const doc: StackDocument = parsed.data;
  const services: Service[] = [];
  for (const [name, serviceDoc] of Object.entries(doc.services)) {
    services.push(await normaliseService(ctx, name, serviceDoc));
  }
  if (services.length === 0) {
    diagnostics.push({
      code: 'SCHEMA003',
      severity: 'error',
      location: source.locateKey(['services']),
      message: '`services` is empty',
      hint: 'add at least one service',
    });
  }

  const volumes: Stack['volumes'] = {};
  for (const [name, volume] of Object.entries(doc.volumes ?? {})) {
    volumes[name] = { external: volume?.external === true, location: source.locateKey(['volumes', name]) };
  }
  const networks: Stack['networks'] = {};
  for (const [name, network] of Object.entries(doc.networks ?? {})) {
    networks[name] = { external: network?.external === true, location: source.locateKey(['networks', name]) };
  }
  // The stack's default network always exists (stackctl creates <name>_default).
  if (!networks.default) networks.default = { external: false, location: { file, line: 0, col: 0 } };

  const stack: Stack = {
    name: doc.name,
    file,
    dir,
    format: 'stackctl',
    services,
    volumes,
    networks,
    thresholds: {
      successRate: doc.thresholds?.success_rate ?? DEFAULT_THRESHOLDS.successRate,
      avgResponseMs: doc.thresholds?.avg_response_ms ?? DEFAULT_THRESHOLDS.avgResponseMs,
      errorRate: doc.thresholds?.error_rate ?? DEFAULT_THRESHOLDS.errorRate,
    },
    variables: ctx.variables,
    secretValues: [],
  };
  if (doc.suite !== undefined) stack.suite = path.resolve(dir, doc.suite);
  const moduleHints = doc.diagnose?.module_hints ?? [];
  if (moduleHints.length > 0) {
    stack.moduleHints = moduleHints.map((entry, index) => ({ modules: entry.modules, hint: entry.hint, location: source.locateKey(['diagnose', 'module_hints', index]) }));
  }
  const policy = parseSecretNamePolicy(raw);
  if (policy) stack.secretNamePolicy = policy;
  stack.secretValues = collectSecretValues(stack, env);
  return result(stack);
}

async function normaliseService(ctx: Context, name: string, doc: ServiceDocument): Promise<Service> {
  const { source, dir } = ctx;
  const at = (...rest: Array<string | number>): KeyPath => ['services', name, ...rest];
  const report = (p: KeyPath, message: string, hint: string, code = 'SCHEMA001'): void => {
    ctx.diagnostics.push({ code, severity: 'error', service: name, location: source.locate(p), message, hint });
  };
  const take = <T>(p: KeyPath, parsed: Parsed<T>, hint: string): T | undefined => {
    if (parsed.ok) return parsed.value;
    report(p, parsed.error, hint);
    return undefined;
  };

  const service: Service = {
    ...emptyService(name, source.locateKey(at())),
    restartDependents: doc.restart_dependents ?? false,
    secrets: doc.secrets ?? [],
    requiresEnv: doc.requires_env ?? [],
    profiles: doc.profiles ?? [],
  };
  if (doc.image !== undefined) service.image = doc.image;
  if (doc.build !== undefined) service.build = normaliseBuild(ctx, name, doc.build);
  const watch = parseDevelopWatch(doc.develop, dir, (sub) => source.locate(at('develop', ...sub)));
  for (const problem of watch.problems) report(at('develop', ...problem.at), problem.message, problem.hint);
  if (watch.rules.length > 0) service.watch = watch.rules;
  if (doc.image === undefined && doc.build === undefined) {
    report(at(), `service \`${name}\` has neither \`image\` nor \`build\``, 'add `image: NAME:TAG`, or `build: DIR` to build it from a Dockerfile', 'SCHEMA003');
  }
  for (const key of ['command', 'entrypoint'] as const) {
    const value = doc[key];
    if (value === undefined) continue;
    const words = typeof value === 'string' ? take(at(key), shellSplit(value), 'close the quote, or write the command as a list') : value.map(String);
    if (words) service[key] = words;
  }

  // Environment: env_file values first (a later file wins), then `environment`.
  const envFiles = doc.env_file === undefined ? [] : typeof doc.env_file === 'string' ? [doc.env_file] : doc.env_file;
  for (const [index, entry] of envFiles.entries()) {
    const entryPath = typeof doc.env_file === 'string' ? at('env_file') : at('env_file', index);
    const file = path.resolve(dir, entry);
    service.envFiles.push(file);
    const loaded = await loadEnvFile(file, { service: name, referencedFrom: source.locate(entryPath), env: ctx.env, project: dir, ...(ctx.cwd ? { cwd: ctx.cwd } : {}) }, ctx.env);
    ctx.diagnostics.push(...loaded.diagnostics);
    ctx.variables.push(...loaded.references);
    for (const entry of loaded.entries) {
      service.environment[entry.name] = entry.value;
      service.environmentLocations[entry.name] = entry.location;
    }
  }
  if (doc.environment !== undefined) {
    for (const entry of environmentEntries(doc.environment, ctx.env)) {
      const location = Array.isArray(doc.environment) ? source.locate(at('environment', entry.at)) : source.locateKey(at('environment', entry.at));
      if (entry.error) {
        report(at('environment', entry.at), entry.error, 'write `KEY=value` (list) or `KEY: value` (map)');
        continue;
      }
      if (entry.value === undefined) {
        // `KEY` with no value passes the variable through from the environment; it is unset here.
        delete service.environment[entry.name];
        ctx.variables.push({ name: entry.name, expression: entry.name, path: [...at('environment', entry.at)], service: name, location, defaulted: false });
        service.environmentLocations[entry.name] = location;
        continue;
      }
      service.environment[entry.name] = entry.value;
      service.environmentLocations[entry.name] = location;
    }
  }

  for (const [index, item] of (doc.ports ?? []).entries()) {
    const location = source.locate(at('ports', index));
    const parsed = typeof item === 'object' ? parsePortLong(item, location) : parsePortShort(item, location);
    const mappings = take(at('ports', index), parsed, 'write ports as "HOST:CONTAINER", "IP:HOST:CONTAINER", a container port, or { target, published }');
    if (mappings) service.ports.push(...mappings);
  }
  for (const [index, item] of (doc.volumes ?? []).entries()) {
    const location = source.locate(at('volumes', index));
    const parsed = typeof item === 'string' ? parseVolumeShort(item, dir, location) : parseVolumeLong(item, dir, location);
    const mount = take(at('volumes', index), parsed, 'write volumes as "NAME:/path", "./dir:/path:ro" or { type, source, target }');
    if (mount) service.volumes.push(mount);
  }
  service.networks = normaliseNetworks(ctx, name, doc.networks);
  service.dependsOn = normaliseDependsOn(ctx, name, doc.depends_on);

  if (doc.start_timeout !== undefined) {
    const ms = take(at('start_timeout'), parseDuration(doc.start_timeout), 'durations are written like 30s, 1m30s or 500ms');
    if (ms !== undefined) service.startTimeoutMs = ms;
  }
  if (doc.restart !== undefined) {
    const policy = take(at('restart'), parseRestart(doc.restart), 'use no, always, on-failure, on-failure:3 or unless-stopped');
    if (policy) service.restart = policy;
  }
  if (doc.readiness !== undefined) {
    const readiness = await normaliseReadiness(ctx, service, doc.readiness);
    if (readiness) service.readiness = readiness;
  }
  return service;
}

function normaliseBuild(ctx: Context, name: string, doc: string | BuildDocument): BuildSpec {
  const at: KeyPath = ['services', name, 'build'];
  const object: BuildDocument = typeof doc === 'string' ? { context: doc } : doc;
  const context = path.resolve(ctx.dir, object.context);
  const build: BuildSpec = {
    context,
    args: {},
    additionalContexts: {},
    location: ctx.source.locate(typeof doc === 'string' ? at : [...at, 'context']),
  };
  if (object.dockerfile_inline !== undefined) build.dockerfileInline = object.dockerfile_inline;
  else build.dockerfile = path.resolve(context, object.dockerfile ?? 'Dockerfile');
  if (object.target !== undefined) build.target = object.target;
  for (const entry of object.args ? environmentEntries(object.args, ctx.env) : []) {
    if (entry.value !== undefined && !entry.error) build.args[entry.name] = entry.value;
  }
  for (const entry of object.additional_contexts ? environmentEntries(object.additional_contexts, {}) : []) {
    if (entry.value === undefined || entry.error) continue;
    build.additionalContexts[entry.name] = /^[a-z][a-z0-9+.-]*:\/\/|^service:|^docker-image:|^oci-layout:/.test(entry.value)
      ? entry.value
      : path.resolve(ctx.dir, entry.value);
  }
  return build;
}

function normaliseNetworks(ctx: Context, name: string, doc: ServiceDocument['networks']): NetworkAttachment[] {
  const at: KeyPath = ['services', name, 'networks'];
  if (doc === undefined) return [{ name: 'default', aliases: [], location: ctx.source.locateKey(['services', name]) }];
  if (Array.isArray(doc)) return doc.map((network, index) => ({ name: network, aliases: [], location: ctx.source.locate([...at, index]) }));
  return Object.entries(doc).map(([network, value]) => ({
    name: network,
    aliases: value?.aliases ?? [],
    location: ctx.source.locateKey([...at, network]),
  }));
}


function normaliseDependsOn(ctx: Context, name: string, doc: ServiceDocument['depends_on']): Dependency[] {
  const at: KeyPath = ['services', name, 'depends_on'];
  if (doc === undefined) return [];
  if (Array.isArray(doc)) {
    return doc.map((service, index) => ({ service, condition: 'ready', required: true, location: ctx.source.locate([...at, index]) }));
  }
  return Object.entries(doc).map(([service, value]) => ({
    service,
    condition: dependencyCondition(value?.condition ?? 'ready') ?? 'ready',
    required: value?.required ?? true,
    location: ctx.source.locateKey([...at, service]),
  }));
}

type ProbeFields = Pick<ReadinessDocument, 'tcp' | 'http' | 'postgres' | 'redis' | 'exec' | 'log'>;
const KINDS = ['tcp', 'http', 'postgres', 'redis', 'exec', 'log'] as const;

async function normaliseReadiness(ctx: Context, service: Service, doc: ReadinessDocument): Promise<Readiness | undefined> {
  const at: KeyPath = ['services', service.name, 'readiness'];
  const location = ctx.source.locateKey(at);
  const kinds = KINDS.filter((kind) => doc[kind] !== undefined);
  const error = (p: KeyPath, message: string, hint: string, loc?: SourceLocation): undefined => {
    ctx.diagnostics.push({ code: 'SCHEMA004', severity: 'error', service: service.name, location: loc ?? ctx.source.locate(p), message, hint });
    return undefined;
  };
  if (doc.use !== undefined) {
    if (kinds.length > 0) return error(at, `readiness has both \`use\` and \`${kinds[0]}\``, 'use either a template (`use:` + `with:`) or one probe kind');
    const template = await loadTemplate(ctx, service, doc.use, doc.with ?? {}, [...at, 'use']);
    if (!template) return undefined;
    const probe = buildProbe(template.doc, service, (message, hint) => error(at, message, hint, template.location));
    if (!probe) return undefined;
    const timeout = doc.timeout ?? template.doc.timeout;
    return { probe, timeoutMs: readinessTimeout(ctx, service, timeout, at), location };
  }
  if (doc.with !== undefined) return error([...at, 'with'], '`with` is only meaningful together with `use`', 'add `use: healthchecks/<template>.yaml`, or remove `with`');
  if (kinds.length !== 1) {
    return error(
      at,
      kinds.length === 0 ? 'readiness names no probe' : `readiness names ${kinds.length} probes (${kinds.join(', ')}); exactly one is allowed`,
      'use exactly one of tcp, http, postgres, redis, exec, log — or `use:` a template from healthchecks/',
    );
  }
  const probe = buildProbe(doc, service, (message, hint) => error([...at, kinds[0]!], message, hint));
  if (!probe) return undefined;
  return { probe, timeoutMs: readinessTimeout(ctx, service, doc.timeout, at), location };
}

function readinessTimeout(ctx: Context, service: Service, timeout: string | number | undefined, at: KeyPath): number {
  if (timeout === undefined) return service.startTimeoutMs;
  const parsed = parseDuration(timeout);
  if (parsed.ok) return parsed.value;
  ctx.diagnostics.push({ code: 'SCHEMA001', severity: 'error', service: service.name, location: ctx.source.locate([...at, 'timeout']), message: parsed.error, hint: 'durations are written like 30s, 1m30s or 500ms' });
  return service.startTimeoutMs;
}

function buildProbe(doc: ProbeFields, service: Service, error: (message: string, hint: string) => undefined): ProbeSpec | undefined {
  const firstPort = service.ports[0]?.target;
  const needPort = (kind: string, port: number | undefined, fallback?: number): number | undefined => {
    const chosen = port ?? firstPort ?? fallback;
    if (chosen === undefined) error(`the ${kind} probe has no port and the service declares none`, `write \`${kind}: { port: N }\` with the port the service listens on inside the container`);
    return chosen;
  };
  if (doc.tcp !== undefined) {
    const port = needPort('tcp', typeof doc.tcp === 'number' ? doc.tcp : (doc.tcp?.port ?? undefined));
    return port === undefined ? undefined : { kind: 'tcp', port };
  }
  if (doc.http !== undefined) {
    const http = typeof doc.http === 'string' ? { path: doc.http } : doc.http;
    const port = needPort('http', 'port' in http ? http.port : undefined);
    if (port === undefined) return undefined;
    const status = parseStatus('status' in http ? http.status : undefined);
    if (!status.ok) return error(status.error, 'write a status such as 200, or a range such as "200-299"');
    const body = 'body' in http ? http.body : undefined;
    if (body !== undefined && !compiles(body)) return error(`readiness body "${body}" is not a valid regular expression`, 'fix or quote the regular expression');
    const probe: ProbeSpec = {
      kind: 'http',
      port,
      path: normalisePath(http.path ?? '/'),
      method: ('method' in http && http.method ? http.method : 'GET').toUpperCase(),
      headers: Object.fromEntries(Object.entries(('headers' in http ? http.headers : undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      status: status.value,
    };
    if (body !== undefined) probe.body = body;
    if ('json' in http && http.json !== undefined) probe.json = http.json;
    return probe;
  }
  if (doc.postgres !== undefined) {
    const pg = doc.postgres;
    const port = needPort('postgres', pg.port, DEFAULT_POSTGRES_PORT);
    if (port === undefined) return undefined;
    const user = pg.user;
    return { kind: 'postgres', port, user, password: pg.password === undefined ? '' : String(pg.password), database: pg.database === undefined || pg.database === '' ? user : String(pg.database) };
  }
  if (doc.redis !== undefined) {
    const port = needPort('redis', doc.redis?.port, DEFAULT_REDIS_PORT);
    if (port === undefined) return undefined;
    const probe: ProbeSpec = { kind: 'redis', port };
    if (doc.redis?.password !== undefined) probe.password = String(doc.redis.password);
    return probe;
  }
  if (doc.exec !== undefined) {
    const command = typeof doc.exec === 'string' ? ['/bin/sh', '-c', doc.exec] : doc.exec.map(String);
    if (command.length === 0) return error('the exec probe has an empty command', 'write e.g. `exec: ["pg_isready", "-U", "postgres"]`');
    return { kind: 'exec', command };
  }
  if (doc.log !== undefined) {
    if (!compiles(doc.log)) return error(`the log pattern "${doc.log}" is not a valid regular expression`, 'fix the regular expression (escape `(`, `[`, `.` … with a backslash)');
    return { kind: 'log', pattern: doc.log };
  }
  return error('readiness names no probe', 'use exactly one of tcp, http, postgres, redis, exec, log');
}

function parseStatus(input: string | number | undefined): Parsed<StatusRange> {
  if (input === undefined) return { ok: true, value: { min: 200, max: 299 } };
  if (typeof input === 'number') return Number.isInteger(input) && input >= 100 && input <= 599 ? { ok: true, value: { min: input, max: input } } : { ok: false, error: `invalid status ${input}` };
  const text = input.trim();
  const xx = /^([1-5])xx$/i.exec(text);
  if (xx) return { ok: true, value: { min: Number(xx[1]) * 100, max: Number(xx[1]) * 100 + 99 } };
  const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(text);
  if (!m) return { ok: false, error: `invalid status "${input}"` };
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 100 || max > 599 || max < min) return { ok: false, error: `invalid status range "${input}"` };
  return { ok: true, value: { min, max } };
}

function normalisePath(p: string): string {
  return p.startsWith('/') ? p : `/${p}`;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

async function loadTemplate(
  ctx: Context,
  service: Service,
  use: string,
  params: Record<string, string | number | boolean | null>,
  usePath: KeyPath,
): Promise<{ doc: ProbeTemplateDocument; location: SourceLocation } | undefined> {
  const useLocation = ctx.source.locate(usePath);
  const fail = (message: string, hint: string, location = useLocation): undefined => {
    ctx.diagnostics.push({ code: 'TEMPLATE001', severity: 'error', service: service.name, location, message, hint });
    return undefined;
  };
  const candidates = [path.resolve(ctx.dir, use), path.resolve(BUNDLED_HEALTHCHECKS_DIR, use.replace(/^(\.\/)?healthchecks\//, ''))];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (file && !insideProject(file, ctx.dir, ctx.env, ctx.cwd) && !insideProject(file, BUNDLED_HEALTHCHECKS_DIR)) {
    return fail(`probe template ${use} is outside the project (${projectRoot(ctx.dir)}); stackctl reads referenced files only inside it`, `copy the template into the project, or allow its directory with ${ALLOWED_PATHS_VARIABLE}=${path.dirname(file)}`);
  }
  if (!file) {
    return fail(`probe template ${use} does not exist (looked in ${path.dirname(candidates[0]!)} and stackctl's healthchecks/)`, 'check the file name; stackctl ships healthchecks/http-ready.yaml, http-health.yaml, postgres.yaml, redis.yaml and tcp.yaml');
  }
  const templateSource = await readYamlSource(file, ctx.env);
  const notTemplate = notAStackFile(templateSource, TEMPLATE_KEYS, 'a probe template');
  if (notTemplate) return fail(`probe template ${use}: ${notTemplate}`, 'a probe template is a YAML mapping with one probe kind (tcp, http, postgres, redis, exec, log); see healthchecks/', useLocation);
  ctx.diagnostics.push(...templateSource.diagnostics.map((d) => ({ ...d, service: service.name })));
  if (!templateSource.ok) return undefined;
  const withValues = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === null ? '' : String(v)]));
  const env = { ...ctx.env, ...withValues };
  const interpolated = interpolateTree(templateSource.value, env, templateSource, { serviceOf: () => service.name });
  ctx.diagnostics.push(...interpolated.diagnostics);
  for (const ref of interpolated.references) {
    if (Object.prototype.hasOwnProperty.call(withValues, ref.name)) continue;
    if (/^[a-z]/.test(ref.name) && ref.value === undefined && !ref.operator) {
      fail(`probe template ${use} needs the parameter \`${ref.name}\``, `add it under \`with:\`, e.g. \`with: { ${ref.name}: … }\``, useLocation);
      continue;
    }
    ctx.variables.push(ref);
  }
  const parsed = probeTemplateSchema.safeParse(interpolated.value);
  if (!parsed.success) {
    ctx.diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, templateSource, probeTemplateSchema, { value: interpolated.value }).map((d) => ({ ...d, service: service.name })));
    return undefined;
  }
  const kinds = KINDS.filter((kind) => parsed.data[kind] !== undefined);
  if (kinds.length !== 1) return fail(`probe template ${use} must name exactly one probe kind (it names ${kinds.length})`, 'fix the template file', templateSource.locate([]));
  return { doc: parsed.data, location: useLocation };
}

/** Names listed under any service's `secrets:` in the raw document (for redaction when loading fails). */
function declaredSecrets(raw: unknown): string[] {
  if (!isRecord(raw) || !isRecord(raw.services)) return [];
  return Object.values(raw.services).flatMap((service) =>
    isRecord(service) && Array.isArray(service.secrets) ? service.secrets.filter((n): n is string => typeof n === 'string') : [],
  );
}

