/**
 * docker-compose file → Stack. Order, as compose does it: the project's `.env` → interpolation of the
 * whole document (every reference recorded with its file:line:col) → `extends` → normalisation of
 * each service. Every key of the compose specification is either mapped into the stack graph or
 * named in a COMPOSE001 warning (see spec.ts); a healthcheck becomes a readiness probe
 * (healthcheck-to-probe.ts); a plain `depends_on` list keeps compose's meaning, `started`.
 * Never throws for any input.
 */
import { parseDevelopWatch } from '../config/develop-watch.js';
import path from 'node:path';
import { sortByLocation, type SourceLocation } from '../errors.js';
import type { Diagnostic } from '../diagnostic.js';
import {
  DEFAULT_START_TIMEOUT_MS,
  emptyService,
  composeCondition,
  DEFAULT_THRESHOLDS,
  type BuildSpec,
  type Dependency,
  type DependencyCondition,
  type NetworkAttachment,
  type Readiness,
  type Service,
  type Stack,
  type VariableReference,
} from '../config/model.js';
import type { LoadResult, ResolvedLoadOptions } from '../config/load-types.js';
import type { KeyPath, YamlSource } from '../config/yaml-source.js';
import { isExtensionPath, mergeEnvironment, type Environment } from '../config/interpolate.js';
import { readEnvFile } from '../config/env-file.js';
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
} from '../config/normalize.js';
import { collectSecretValues, isSecretName, secretValuesOfEnv } from '../config/secret-values.js';
import { parseSecretNamePolicy, type SecretNamePolicy } from '../secret-names.js';
import { isRecord } from '../is-record.js';
import { checkCoverage, showPath } from './spec.js';
import { locateInService, type ServiceOrigin } from './extends.js';
import { composeLayers, mergeLayers } from './compose-layers.js';
import { activeProfiles, serviceEnabled } from './compose-files.js';
import { translateHealthcheck } from './healthcheck-to-probe.js';
import { isVacuousHealthcheck } from './vacuous-healthcheck.js';

/** Compose's healthcheck defaults. */
export const COMPOSE_HEALTHCHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

export { isExtensionPath };

export async function loadCompose(input: YamlSource | readonly YamlSource[], options: ResolvedLoadOptions): Promise<LoadResult> {
  const sources = Array.isArray(input) ? (input as readonly YamlSource[]) : [input as YamlSource];
  const diagnostics: Diagnostic[] = sources.flatMap((source) => source.diagnostics);
  const policy = parseSecretNamePolicy(sources[0]?.value);
  let knownEnv: Environment = options.env as Environment;
  const done = (stack?: Stack): LoadResult => {
    const sorted = sortByLocation(diagnostics);
    if (sorted.some((d) => d.severity === 'error') || !stack) return { diagnostics: sorted, format: 'compose', secretValues: secretValuesOfEnv(knownEnv, [], policy) };
    return { stack, diagnostics: sorted, format: 'compose', secretValues: stack.secretValues };
  };
  const main = sources[0];
  if (!main || sources.some((source) => !source.ok)) return done();
  // Relative paths of every file resolve against the project directory: the first file's (as in compose).
  const file = path.resolve(main.file);
  const dir = path.dirname(file);
  for (const source of sources) {
    const raw = source.value;
    if (isRecord(raw)) continue;
    const empty = raw === undefined || raw === null;
    diagnostics.push({
      code: 'COMPOSE006',
      severity: 'error',
      location: { file: path.resolve(source.file), line: empty ? 0 : 1, col: empty ? 0 : 1 },
      message: empty ? 'the compose file is empty' : 'a compose file must be a mapping with a `services:` key',
      hint: 'start the file with `services:` and one entry per container',
    });
  }
  if (diagnostics.some((d) => d.code === 'COMPOSE006')) return done();

  // 1. The project's .env (beside the first file; the process environment wins), as docker compose reads it.
  const processEnv = options.env as Environment;
  // --env-file replaces it (as with docker compose --env-file): each must exist.
  const dotenvFiles = options.envFiles ?? [path.join(dir, '.env')];
  const dotenvVars: Array<Record<string, string>> = [];
  for (const envFile of dotenvFiles) {
    const dotenv = readEnvFile(envFile, mergeEnvironment(processEnv, ...dotenvVars), { optional: options.envFiles === undefined, env: options.env });
    diagnostics.push(...dotenv.diagnostics);
    dotenvVars.push(dotenv.vars);
  }
  const env = mergeEnvironment(processEnv, ...dotenvVars);
  knownEnv = env;

  // 2. What stackctl does not cover is said, key by key, in the file that writes it.
  for (const source of sources) {
    const raw = source.value as Record<string, unknown>;
    diagnostics.push(...checkCoverage(raw, { locateKey: (p) => source.locateKey(p) }));
    if ('version' in raw) {
      diagnostics.push({
        code: 'COMPOSE005',
        severity: 'info',
        location: source.locateKey(['version']),
        message: '`version` is obsolete in the compose specification and is ignored',
        hint: 'remove the `version:` line; docker compose v2 warns about it too',
      });
    }
  }

  // 3. Interpolation, `include`, `extends` per file; then the files merged in order.
  const layered = composeLayers(sources, { env, dir, ...(options.cwd ? { cwd: options.cwd } : {}), skip: isExtensionPath });
  diagnostics.push(...layered.diagnostics);
  const variables: VariableReference[] = [...layered.references];
  const merged = mergeLayers(layered.layers);
  diagnostics.push(...merged.diagnostics);
  if (merged.services.length === 0) {
    const raw = main.value as Record<string, unknown>;
    const servicesDoc = raw.services;
    diagnostics.push({
      code: 'COMPOSE006',
      severity: 'error',
      location: 'services' in raw ? main.locateKey(['services']) : { file, line: 1, col: 1 },
      message: isRecord(servicesDoc) || servicesDoc === undefined || servicesDoc === null ? 'the compose file defines no services' : '`services` must be a mapping of service names to definitions',
      hint: 'add `services:` with at least one service',
    });
    return done();
  }

  // 4. Top-level volumes and networks.
  const volumes: Stack['volumes'] = {};
  for (const [name, entry] of merged.top.volumes) {
    volumes[name] = { external: isRecord(entry.value) && Boolean(entry.value.external), location: entry.location };
  }
  const networks: Stack['networks'] = {};
  for (const [name, entry] of merged.top.networks) {
    const network = entry.value;
    networks[name] = { external: isRecord(network) && Boolean(network.external), location: entry.location };
    if (isRecord(network) && typeof network.driver === 'string' && network.driver !== 'bridge') {
      diagnostics.push({ code: 'COMPOSE001', severity: 'warning', location: entry.source.locate(['networks', name, 'driver']), message: `network driver \`${network.driver}\` is not supported by stackctl; it creates a bridge network`, hint: 'stackctl runs on one engine with bridge networks' });
    }
  }
  if (!networks.default) networks.default = { external: false, location: { file, line: 0, col: 0 } };

  // 5. Services.
  for (const layer of layered.layers) {
    for (const [name, value] of Object.entries(isRecord(layer.doc.services) ? layer.doc.services : {})) {
      if (!isRecord(value)) {
        diagnostics.push({ code: 'COMPOSE002', severity: 'error', service: name, location: layer.source.locate(['services', name]), message: `service \`${name}\` must be a mapping`, hint: 'give the service at least `image:` or `build:`' });
      }
    }
  }
  const ctx: ServiceContext = { env, cwd: options.cwd, diagnostics, variables, volumes, networks, dir, extendsFailed: merged.failed, policy };
  const all: Service[] = [];
  for (const resolved of merged.services) {
    all.push(normaliseService(ctx, resolved.name, resolved.value, resolved.origin));
  }
  // COMPOSE_PROFILES may come from the project's .env too, as compose reads it.
  const services = applyProfiles(all, options.profiles ?? activeProfiles(undefined, env), diagnostics);
  // Sets and maps by name throughout: a 10,000-service file made every `some`/`find` here quadratic.
  const kept = new Set(services.map((service) => service.name));
  markRestartDependents(services, merged.services.filter((s) => kept.has(s.name)).map((s) => s.value));

  const stack: Stack = {
    name: projectName(merged.name, env, dir),
    file,
    dir,
    format: 'compose',
    services,
    volumes,
    networks,
    thresholds: { ...DEFAULT_THRESHOLDS },
    variables: variables.filter((reference) => reference.service === undefined || kept.has(reference.service)),
    secretValues: [],
  };
  if (sources.length > 1) stack.files = sources.map((source) => path.resolve(source.file));
  if (policy) stack.secretNamePolicy = policy;
  stack.secretValues = collectSecretValues(stack, env);
  return done(stack);
}

/**
 * Services of inactive profiles are left out, as compose leaves them out; a started service that
 * needs one is a COMPOSE008 error (compose refuses it too), an optional dependency on one is dropped.
 */
function applyProfiles(services: Service[], active: readonly string[], diagnostics: Diagnostic[]): Service[] {
  const enabled = services.filter((service) => serviceEnabled(service.profiles, active));
  const on = new Set(enabled);
  const disabled = new Map(services.filter((service) => !on.has(service)).map((service) => [service.name, service]));
  for (const service of enabled) {
    service.dependsOn = service.dependsOn.filter((dependency) => {
      const target = disabled.get(dependency.service);
      if (!target) return true;
      if (dependency.required) {
        diagnostics.push({
          code: 'COMPOSE008',
          severity: 'error',
          service: service.name,
          location: dependency.location,
          message: `${service.name} depends on ${target.name}, which runs only with profile ${target.profiles.join(' or ')} (not active)`,
          hint: `activate it with --profile ${target.profiles[0]} (or COMPOSE_PROFILES=${target.profiles[0]}), or give ${service.name} the same profile`,
        });
      }
      return false;
    });
  }
  return enabled;
}

/** Compose's project name: `name:`, else COMPOSE_PROJECT_NAME, else the directory's name, normalised. */
export function projectName(name: unknown, env: Environment, dir: string): string {
  const chosen = typeof name === 'string' && name.trim() !== '' ? name : env.COMPOSE_PROJECT_NAME ?? path.basename(dir);
  const normalised = chosen.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  return /^[a-z0-9]/.test(normalised) ? normalised : `stack${normalised}`;
}

interface ServiceContext {
  env: Record<string, string>;
  cwd: string;
  diagnostics: Diagnostic[];
  variables: VariableReference[];
  volumes: Stack['volumes'];
  networks: Stack['networks'];
  dir: string;
  /** Services whose `extends` failed (already reported): no follow-up "neither image nor build". */
  extendsFailed: Set<string>;
  policy?: SecretNamePolicy | undefined;
}

function normaliseService(ctx: ServiceContext, name: string, doc: Record<string, unknown>, origin: ServiceOrigin): Service {
  const locate = (...sub: Array<string | number>): SourceLocation => locateInService(origin, sub, false, doc);
  const locateKey = (...sub: Array<string | number>): SourceLocation => locateInService(origin, sub, true, doc);
  const dirOf = (key: string): string => definingDir(origin, key);
  const problem = (sub: Array<string | number>, message: string, hint: string, severity: Diagnostic['severity'] = 'error'): void => {
    ctx.diagnostics.push({ code: 'COMPOSE002', severity, service: name, location: locate(...sub), message: `${showPath(['services', name, ...sub])}: ${message}`, hint });
  };
  const take = <T>(sub: Array<string | number>, parsed: Parsed<T>, hint: string): T | undefined => {
    if (parsed.ok) return parsed.value;
    problem(sub, parsed.error, hint);
    return undefined;
  };

  const service = emptyService(name, origin.source.locateKey(origin.path));

  if (doc.image !== undefined && doc.image !== null) {
    if (typeof doc.image === 'string') service.image = doc.image;
    else problem(['image'], 'expected an image name', 'write `image: name:tag`');
  }
  if (doc.build !== undefined && doc.build !== null) {
    const build = normaliseBuild(ctx, name, doc.build, dirOf('build'), locate, problem);
    if (build) service.build = build;
  }
  if (service.image === undefined && service.build === undefined && !ctx.extendsFailed.has(name)) {
    ctx.diagnostics.push({ code: 'COMPOSE002', severity: 'error', service: name, location: service.location, message: `service \`${name}\` has neither \`image\` nor \`build\``, hint: 'add `image: NAME:TAG`, or `build: DIR` to build it from a Dockerfile' });
  }
  for (const key of ['command', 'entrypoint'] as const) {
    const value = doc[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      const words = take([key], shellSplit(value), 'close the quote, or write the command as a list');
      if (words) service[key] = words;
    } else if (Array.isArray(value) && value.every((word) => typeof word !== 'object' || word === null)) {
      service[key] = value.map((word) => (word === null ? '' : String(word)));
    } else {
      problem([key], 'expected a string or a list of strings', `write \`${key}: ["prog", "arg"]\``);
    }
  }

  normaliseEnvironment(ctx, service, doc, origin, problem);

  // Ports.
  if (doc.ports !== undefined && doc.ports !== null) {
    if (!Array.isArray(doc.ports)) problem(['ports'], 'expected a list', 'write `ports: ["8000:8000"]`');
    else
      doc.ports.forEach((item, index) => {
        const location = locate('ports', index);
        let parsed: Parsed<Service['ports']>;
        if (typeof item === 'string' || typeof item === 'number') parsed = parsePortShort(item, location);
        else if (isRecord(item)) parsed = parsePortLong(item as { target: unknown }, location);
        else parsed = { ok: false, error: 'expected "HOST:CONTAINER" or { target, published }' };
        const mappings = take(['ports', index], parsed, 'write ports as "HOST:CONTAINER", "IP:HOST:CONTAINER", a container port, or { target, published }');
        if (mappings) service.ports.push(...mappings);
      });
  }

  // Volumes (+ tmpfs).
  if (doc.volumes !== undefined && doc.volumes !== null) {
    if (!Array.isArray(doc.volumes)) problem(['volumes'], 'expected a list', 'write `volumes: ["data:/var/lib/data"]`');
    else
      doc.volumes.forEach((item, index) => {
        const location = locate('volumes', index);
        let parsed: Parsed<Service['volumes'][number]>;
        if (typeof item === 'string') parsed = parseVolumeShort(item, dirOf('volumes'), location);
        else if (isRecord(item)) {
          if (item.type === 'npipe' || item.type === 'cluster' || item.type === 'image') parsed = { ok: false, error: `volume type \`${String(item.type)}\` is not supported by stackctl` };
          else parsed = parseVolumeLong(item, dirOf('volumes'), location);
        } else parsed = { ok: false, error: 'expected "SOURCE:TARGET[:MODE]" or { type, source, target }' };
        const mount = take(['volumes', index], parsed, 'write volumes as "NAME:/path", "./dir:/path:ro" or { type, source, target }');
        if (!mount) return;
        service.volumes.push(mount);
      });
  }
  const tmpfs = typeof doc.tmpfs === 'string' ? [doc.tmpfs] : Array.isArray(doc.tmpfs) ? doc.tmpfs : [];
  tmpfs.forEach((entry, index) => {
    if (typeof entry !== 'string' || !entry.startsWith('/')) {
      problem(['tmpfs', index], 'expected an absolute container path', 'write `tmpfs: /run`');
      return;
    }
    service.volumes.push({ type: 'tmpfs', target: entry.split(':')[0]!, readOnly: false, location: locate('tmpfs') });
  });

  service.networks = normaliseNetworks(ctx, name, doc.networks, locate, locateKey, problem);
  service.dependsOn = normaliseDependsOn(name, doc.depends_on, locate, locateKey, problem);

  if (doc.restart !== undefined && doc.restart !== null) {
    const policy = take(['restart'], parseRestart(doc.restart), 'use no, always, on-failure, on-failure:3 or unless-stopped');
    if (policy) service.restart = policy;
  }
  if (doc.profiles !== undefined && doc.profiles !== null) {
    if (Array.isArray(doc.profiles) && doc.profiles.every((p) => typeof p === 'string')) service.profiles = doc.profiles as string[];
    else problem(['profiles'], 'expected a list of profile names', 'write `profiles: [debug]`');
  }

  const watch = parseDevelopWatch(doc.develop, dirOf('develop'), (at) => locate('develop', ...at));
  for (const p of watch.problems) problem(['develop', ...p.at], p.message, p.hint);
  if (watch.rules.length > 0) service.watch = watch.rules;
  normaliseNetworking(service, doc);

  const readiness = normaliseHealthcheck(service, doc.healthcheck, locate, problem);
  if (readiness) {
    service.readiness = readiness;
    service.startTimeoutMs = Math.max(DEFAULT_START_TIMEOUT_MS, readiness.timeoutMs);
  }
  service.secrets = Object.keys(service.environment).filter((key) => isSecretName(key, ctx.policy));
  return service;
}

/** What validation needs of `network_mode`, `extra_hosts` and `expose` (stackctl does not apply them). */
function normaliseNetworking(service: Service, doc: Record<string, unknown>): void {
  if (typeof doc.network_mode === 'string') service.networkMode = doc.network_mode;
  const extra = doc.extra_hosts;
  const hosts = Array.isArray(extra) ? extra.filter((h): h is string => typeof h === 'string') : isRecord(extra) ? Object.keys(extra) : [];
  if (hosts.length > 0) service.extraHosts = hosts;
  if (Array.isArray(doc.expose)) {
    const ports = doc.expose.map((p) => Number(String(p).split(/[-/]/)[0])).filter((p) => Number.isInteger(p) && p > 0);
    if (ports.length > 0) service.expose = ports;
  }
}

function definingDir(origin: ServiceOrigin, key: string): string {
  let current: ServiceOrigin | undefined = origin;
  while (current) {
    if (key in current.own) return current.dir;
    current = current.base;
  }
  return origin.dir;
}

type Locate = (...sub: Array<string | number>) => SourceLocation;
type Problem = (sub: Array<string | number>, message: string, hint: string, severity?: Diagnostic['severity']) => void;

function normaliseBuild(ctx: ServiceContext, name: string, value: unknown, dir: string, locate: Locate, problem: Problem): BuildSpec | undefined {
  const object = typeof value === 'string' ? { context: value } : isRecord(value) ? value : undefined;
  if (!object) {
    problem(['build'], 'expected a context directory or { context, dockerfile, … }', 'write `build: ./dir` or `build: { context: ., dockerfile: Dockerfile }`');
    return undefined;
  }
  const contextText = object.context === undefined || object.context === null ? '.' : String(object.context);
  if (/^[a-z][a-z0-9+.-]*:\/\/|^git@/.test(contextText)) {
    problem(typeof value === 'string' ? ['build'] : ['build', 'context'], `remote build context ${contextText} is not supported by stackctl`, 'clone the repository and point `context` at the directory', 'warning');
    return undefined;
  }
  const context = path.resolve(dir, contextText);
  const build: BuildSpec = { context, args: {}, additionalContexts: {}, location: locate(...(typeof value === 'string' ? ['build'] : 'context' in object ? ['build', 'context'] : ['build'])) };
  if (typeof object.dockerfile_inline === 'string') build.dockerfileInline = object.dockerfile_inline;
  else build.dockerfile = path.resolve(context, typeof object.dockerfile === 'string' ? object.dockerfile : 'Dockerfile');
  if (typeof object.target === 'string') build.target = object.target;
  if (object.args !== undefined && object.args !== null) {
    if (isRecord(object.args) || Array.isArray(object.args)) {
      for (const entry of environmentEntries(object.args, ctx.env)) if (entry.value !== undefined && !entry.error) build.args[entry.name] = entry.value;
    } else problem(['build', 'args'], 'expected a map or a list of KEY=VALUE', 'write `args: { KEY: value }`');
  }
  if (object.additional_contexts !== undefined && object.additional_contexts !== null) {
    if (isRecord(object.additional_contexts) || Array.isArray(object.additional_contexts)) {
      for (const entry of environmentEntries(object.additional_contexts, {})) {
        if (entry.value === undefined || entry.error) continue;
        build.additionalContexts[entry.name] = /^[a-z][a-z0-9+.-]*:\/\/|^service:|^docker-image:|^oci-layout:/.test(entry.value) ? entry.value : path.resolve(dir, entry.value);
      }
    } else problem(['build', 'additional_contexts'], 'expected a map of name → path', 'write `additional_contexts: { common: ../common }`');
  }
  return build;
}

function normaliseEnvironment(ctx: ServiceContext, service: Service, doc: Record<string, unknown>, origin: ServiceOrigin, problem: Problem): void {
  const name = service.name;
  const dir = definingDir(origin, 'env_file');
  const entries = doc.env_file === undefined || doc.env_file === null ? [] : Array.isArray(doc.env_file) ? doc.env_file : [doc.env_file];
  entries.forEach((entry, index) => {
    const sub = Array.isArray(doc.env_file) ? ['env_file', index] : ['env_file'];
    const spec = typeof entry === 'string' ? { path: entry, required: true } : isRecord(entry) && typeof entry.path === 'string' ? { path: entry.path, required: entry.required !== false } : undefined;
    if (!spec) {
      problem(sub, 'expected a path or { path, required }', 'write `env_file: .env` or `env_file: [{ path: .env, required: false }]`');
      return;
    }
    const file = path.resolve(dir, spec.path);
    const loaded = readEnvFile(file, ctx.env, { optional: !spec.required, service: name, referencedFrom: locateInService(origin, sub, false, doc), env: ctx.env, project: ctx.dir, ...(ctx.cwd ? { cwd: ctx.cwd } : {}) });
    ctx.diagnostics.push(...loaded.diagnostics);
    if (!loaded.found) return;
    service.envFiles.push(file);
    ctx.variables.push(...loaded.references);
    for (const entry of loaded.entries) {
      service.environment[entry.name] = entry.value;
      service.environmentLocations[entry.name] = entry.location;
    }
  });

  const environment = doc.environment;
  if (environment === undefined || environment === null) return;
  if (!isRecord(environment) && !Array.isArray(environment)) {
    problem(['environment'], 'expected a map or a list of KEY=VALUE', 'write `environment: { KEY: value }` or `environment: ["KEY=value"]`');
    return;
  }
  for (const entry of environmentEntries(environment, ctx.env)) {
    const sub = ['environment', entry.at];
    const location = Array.isArray(environment) ? locateInService(origin, sub, false, doc) : locateInService(origin, sub, true, doc);
    if (entry.error) {
      problem(sub, entry.error, 'write `KEY=value` (list) or `KEY: value` (map)');
      continue;
    }
    if (entry.value === undefined) {
      // `KEY` alone passes the variable through from the environment; it is unset here.
      delete service.environment[entry.name];
      ctx.variables.push({ name: entry.name, expression: entry.name, path: ['services', name, ...sub], service: name, location, defaulted: false });
      service.environmentLocations[entry.name] = location;
      continue;
    }
    service.environment[entry.name] = entry.value;
    service.environmentLocations[entry.name] = location;
  }
}

function normaliseNetworks(ctx: ServiceContext, name: string, value: unknown, locate: Locate, locateKey: Locate, problem: Problem): NetworkAttachment[] {
  if (value === undefined || value === null) return [{ name: 'default', aliases: [], location: locateKey() }];
  const out: NetworkAttachment[] = [];
  // Undeclared networks and volumes are reported by the NET/VOL rules of `stackctl validate`.
  if (Array.isArray(value)) {
    value.forEach((network, index) => {
      if (typeof network !== 'string') return problem(['networks', index], 'expected a network name', 'write `networks: [backend]`');
      out.push({ name: network, aliases: [], location: locate('networks', index) });
    });
    return out;
  }
  if (!isRecord(value)) {
    problem(['networks'], 'expected a list or a map of networks', 'write `networks: [backend]` or `networks: { backend: { aliases: [db] } }`');
    return [];
  }
  for (const [network, config] of Object.entries(value)) {
    const aliases = isRecord(config) && Array.isArray(config.aliases) ? config.aliases.filter((alias): alias is string => typeof alias === 'string') : [];
    out.push({ name: network, aliases, location: locateKey('networks', network) });
  }
  return out;
}

function normaliseDependsOn(name: string, value: unknown, locate: Locate, locateKey: Locate, problem: Problem): Dependency[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const out: Dependency[] = [];
    value.forEach((dependency, index) => {
      if (typeof dependency !== 'string') return problem(['depends_on', index], 'expected a service name', 'write `depends_on: [db]`');
      // compose's plain list means "started", not "healthy"; stackctl keeps that meaning.
      out.push({ service: dependency, condition: 'started', required: true, location: locate('depends_on', index) });
    });
    return out;
  }
  if (!isRecord(value)) {
    problem(['depends_on'], 'expected a list or a map', 'write `depends_on: { db: { condition: service_healthy } }`');
    return [];
  }
  return Object.entries(value).map(([dependency, config]) => {
    const entry = isRecord(config) ? config : {};
    let condition: DependencyCondition = 'started';
    let explicit = false;
    if (entry.condition !== undefined) {
      const mapped = typeof entry.condition === 'string' ? composeCondition(entry.condition) : undefined;
      if (mapped) {
        condition = mapped;
        explicit = true;
      }
      else problem(['depends_on', dependency, 'condition'], `unknown condition ${JSON.stringify(entry.condition)}`, 'use service_started, service_healthy or service_completed_successfully');
    }
    return { service: dependency, condition, ...(explicit ? { explicit } : {}), required: entry.required !== false, location: locateKey('depends_on', dependency) };
  });
}

function normaliseHealthcheck(service: Service, value: unknown, locate: Locate, problem: Problem): Readiness | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problem(['healthcheck'], 'expected a mapping', 'write `healthcheck: { test: ["CMD", …], interval: 10s }`');
    return undefined;
  }
  if (value.disable === true) return undefined;
  const duration = (key: string, fallback: number): number => {
    const raw = value[key];
    if (raw === undefined || raw === null) return fallback;
    const parsed = parseDuration(raw);
    if (parsed.ok) return parsed.value;
    problem(['healthcheck', key], parsed.error, 'durations are written like 30s, 1m30s or 500ms');
    return fallback;
  };
  const interval = duration('interval', COMPOSE_HEALTHCHECK_DEFAULTS.intervalMs);
  duration('timeout', COMPOSE_HEALTHCHECK_DEFAULTS.timeoutMs);
  duration('start_interval', 5_000);
  const startPeriod = duration('start_period', COMPOSE_HEALTHCHECK_DEFAULTS.startPeriodMs);
  let retries: number = COMPOSE_HEALTHCHECK_DEFAULTS.retries;
  if (value.retries !== undefined && value.retries !== null) {
    const n = typeof value.retries === 'string' ? Number(value.retries) : value.retries;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) retries = n;
    else problem(['healthcheck', 'retries'], 'expected a whole number', 'write `retries: 3`');
  }
  if (typeof value.test === 'string' || Array.isArray(value.test)) {
    const words = typeof value.test === 'string' ? value.test : value.test.map((word) => (word !== null && typeof word === 'object' ? '' : String(word ?? '')));
    service.healthcheck = { test: words, location: locate('healthcheck', 'test') };
  }
  if (value.test === undefined || value.test === null) {
    problem(['healthcheck'], 'a healthcheck without `test` uses the image\'s HEALTHCHECK, which stackctl cannot see; no readiness probe', 'write the `test` here so stackctl can prove readiness', 'info');
    return undefined;
  }
  // A check that always passes proves nothing (COMPOSE108): stackctl waits only for the start.
  if (service.healthcheck && isVacuousHealthcheck(service.healthcheck.test)) return undefined;
  const translation = translateHealthcheck(value.test, {
    syntax: 'resolved',
    containerEnv: (variable) => service.environment[variable],
    command: service.command,
  });
  if (translation.kind === 'disabled') return undefined;
  if (translation.kind === 'invalid') {
    problem(['healthcheck', 'test'], translation.message, 'write `test: ["CMD", "prog", "arg"]`, `["CMD-SHELL", "command"]` or `["NONE"]`');
    return undefined;
  }
  return { probe: translation.probe, timeoutMs: healthcheckDeadline(interval, retries, startPeriod), location: locate('healthcheck', 'test') };
}

/** When docker marks the container unhealthy: the start period, then `retries` failed checks. */
export function healthcheckDeadline(intervalMs: number, retries: number, startPeriodMs: number): number {
  return startPeriodMs + Math.max(1, retries) * intervalMs;
}

/** compose's `depends_on: { x: { restart: true } }` asks to restart the dependent when x restarts. */
function markRestartDependents(services: Service[], docs: Array<Record<string, unknown>>): void {
  const byName = new Map(services.map((service) => [service.name, service]));
  docs.forEach((doc) => {
    if (!isRecord(doc.depends_on)) return;
    for (const [dependency, config] of Object.entries(doc.depends_on)) {
      if (isRecord(config) && config.restart === true) {
        const target = byName.get(dependency);
        if (target) target.restartDependents = true;
      }
    }
  });
}
