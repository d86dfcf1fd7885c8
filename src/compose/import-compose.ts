/**
 * docker-compose file → stack.yaml text: an equivalent, readable stack file. Values are copied as
 * written (`${VAR}` references stay references: stack.yaml interpolates the same way), anchors and
 * `extends` are expanded, healthchecks become readiness probes, a plain `depends_on` list becomes
 * `condition: started` (compose's meaning; stack.yaml's plain list would mean `ready`), and every
 * translation or dropped key is said in a comment next to it. Pure: the caller reads and writes files.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isPair, isScalar, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import { composeCondition, type ProbeSpec } from '../config/model.js';
import type { YamlSource } from '../config/yaml-source.js';
import { parseDuration } from '../config/normalize.js';
import { isSecretName } from '../config/secret-values.js';
import { locateInService, type ServiceOrigin } from './extends.js';
import { composeLayers, mergeLayers } from './compose-layers.js';
import { readEnvFile } from '../config/env-file.js';
import { interpolateString, mergeEnvironment } from '../config/interpolate.js';
import { splitOutsideReferences } from './split-colons.js';
import { translateHealthcheck } from './healthcheck-to-probe.js';
import { isVacuousHealthcheck } from './vacuous-healthcheck.js';
import { COMPOSE_HEALTHCHECK_DEFAULTS, healthcheckDeadline, projectName } from './load-compose.js';
import { isRecord } from '../is-record.js';
import { SUPPORTED_SERVICE_KEYS } from './spec.js';
import { formatComposeDuration } from './duration.js';

/** Keys carried in x-compose only for their compose-side details: stackctl applies what they mean. */
const COMPOSE_SIDE_DETAILS = new Set(['healthcheck', 'networks', 'build', 'tmpfs']);

export interface ImportOptions {
  /** Absolute path the stack.yaml will be written to (relative paths are rewritten for its directory). */
  outputFile: string;
  /** Variables for the project name (COMPOSE_PROJECT_NAME); nothing else is interpolated. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ImportResult {
  text: string;
  /** How many services the stack file holds. */
  services: number;
  /** What could not be carried over (IMPORT001), each with its key path. */
  notes: Diagnostic[];
}

export function importCompose(input: YamlSource | readonly YamlSource[], options: ImportOptions): ImportResult {
  const sources = Array.isArray(input) ? (input as readonly YamlSource[]) : [input as YamlSource];
  const source = sources[0]!;
  const file = path.resolve(source.file);
  const composeDir = path.dirname(file);
  const outDir = path.dirname(path.resolve(options.outputFile));
  const notes: Diagnostic[] = [];
  const raw = isRecord(source.value) ? source.value : {};
  const comments = new Map<string, string[]>(); // "service\0key" → comment lines

  const comment = (service: string, key: string, text: string): void => {
    const id = `${service}\0${key}`;
    comments.set(id, [...(comments.get(id) ?? []), text]);
  };
  const origins = new Map<string, ServiceOrigin>();
  const note = (service: string, keyPath: Array<string | number>, message: string): void => {
    const origin = origins.get(service);
    const location = origin ? locateInService(origin, keyPath, true) : source.locateKey(['services', service, ...keyPath]);
    notes.push({ code: 'IMPORT001', severity: 'warning', service, location, message, hint: 'edit the generated stack.yaml by hand if you need it' });
  };
  // The project's variables (its .env, the caller's environment), for paths and ports written with references.
  const projectEnv = mergeEnvironment(options.env ?? {}, readEnvFile(path.join(composeDir, '.env'), options.env ?? {}, { optional: true }).vars);
  const rebase = (text: string, dir: string): string => {
    if (text.includes('://')) return text;
    if (text.includes('$')) return rebaseReference(text, dir);
    return rebasePlain(text, dir);
  };
  /**
   * A path written with a reference resolves against the compose file's directory when its value is
   * relative: `${DIR:-.}/dags` with DIR unset gets its default rewritten (DIR set to an absolute path
   * still works); a reference whose value is relative now gets the directory in front.
   */
  const rebaseReference = (text: string, dir: string): string => {
    const value = interpolateString(text, projectEnv).value;
    if (!value.startsWith('.')) return text;
    const withDefault = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^${}]*)\}(.*)$/s.exec(text);
    if (withDefault && projectEnv[withDefault[1]!] === undefined && withDefault[3]!.startsWith('.')) {
      return `\${${withDefault[1]}${withDefault[2]}${rebasePlain(withDefault[3]!, dir)}}${withDefault[4]}`;
    }
    const prefix = rebasePlain('.', dir);
    return prefix === '.' ? text : `${prefix}/${text}`;
  };
  const rebasePlain = (text: string, dir: string): string => {
    const absolute = text.startsWith('~') ? text : path.resolve(dir, text);
    if (absolute.startsWith('~')) return absolute;
    const relative = path.relative(outDir, absolute) || '.';
    return relative.startsWith('.') || path.isAbsolute(relative) ? relative : `./${relative}`;
  };

  // Anchors are already expanded by the parser; files, `include` and `extends` are merged here, without interpolation.
  const layered = composeLayers(sources, { env: {}, dir: composeDir, skip: () => true });
  const merged = mergeLayers(layered.layers);
  for (const d of [...layered.diagnostics, ...merged.diagnostics]) notes.push({ ...d, severity: 'warning', code: 'IMPORT001' });

  const services: Record<string, unknown> = {};
  const restartDependents = new Set<string>();
  for (const { name, value, origin } of merged.services) {
    origins.set(name, origin);
    const dirOf = (key: string): string => {
      let current: typeof origin | undefined = origin;
      while (current) {
        if (key in current.own) return current.dir;
        current = current.base;
      }
      return composeDir;
    };
    const out: Record<string, unknown> = {};
    // What stack.yaml cannot express goes to `x-compose` as written: `export compose` restores it.
    const passthrough: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === 'extends' || SUPPORTED_SERVICE_KEYS.includes(key)) continue;
      passthrough[key] = item;
    }
    if (isRecord(value.healthcheck)) passthrough.healthcheck = value.healthcheck;
    // tmpfs mounts become volumes stackctl applies; the key as written goes back by export.
    if (value.tmpfs !== undefined && value.tmpfs !== null) passthrough.tmpfs = value.tmpfs;
    if (isRecord(value.networks) && Object.values(value.networks).some((config) => isRecord(config) && Object.keys(config).some((key) => key !== 'aliases'))) passthrough.networks = value.networks;
    if (value.image !== undefined) out.image = value.image;
    if (value.build !== undefined && value.build !== null) {
      const buildExtras: Record<string, unknown> = {};
      out.build = importBuild(value.build, dirOf('build'), rebase, (key) => {
        if (isRecord(value.build)) buildExtras[key] = value.build[key];
      });
      if (Object.keys(buildExtras).length > 0) passthrough.build = buildExtras;
    }
    if (value.command !== undefined && value.command !== null) out.command = value.command;
    if (value.entrypoint !== undefined && value.entrypoint !== null) out.entrypoint = value.entrypoint;
    if (value.environment !== undefined && value.environment !== null) out.environment = value.environment;
    const envFiles = importEnvFiles(value.env_file, dirOf('env_file'), rebase, (message) => comment(name, Object.keys(out)[0] ?? 'image', message));
    if (envFiles !== undefined) out.env_file = envFiles;
    if (Array.isArray(value.ports) && value.ports.length > 0) {
      const written: unknown[] = value.ports;
      const ports = written.map((port) => publishEverywhere(port, projectEnv));
      out.ports = ports;
      if (ports.some((port, index) => port !== written[index])) {
        comment(name, 'ports', 'compose publishes a port without an IP on every interface; written as 0.0.0.0 so stackctl does too (it uses 127.0.0.1 when no IP is given)');
      }
    }
    const volumes = importVolumes(value.volumes, value.tmpfs, dirOf('volumes'), rebase);
    if (volumes.length > 0) out.volumes = volumes;
    if (value.networks !== undefined && value.networks !== null) {
      out.networks = importNetworks(value.networks);
      if (isRecord(value.networks)) {
        for (const [network, config] of Object.entries(value.networks)) {
          for (const key of isRecord(config) ? Object.keys(config) : []) {
            if (key !== 'aliases') note(name, ['networks', network, key], `networks.${network}.${key} is not imported: stackctl does not apply it`);
          }
        }
      }
    }
    const dependsOn = importDependsOn(value.depends_on);
    if (dependsOn) {
      out.depends_on = dependsOn.value;
      for (const [dependency, config] of Object.entries(isRecord(value.depends_on) ? value.depends_on : {})) {
        if (isRecord(config) && config.restart === true) {
          comment(name, 'depends_on', `restart: true on ${dependency} → \`restart_dependents: true\` on ${dependency} (restarts every ready dependent)`);
          restartDependents.add(dependency);
        }
      }
      if (dependsOn.plainList) comment(name, 'depends_on', "compose's plain depends_on list waits only for the start: `started`; use `ready` where the service needs its dependency answering");
    }
    const readiness = importHealthcheck(value, (probeNote) => comment(name, 'readiness', probeNote), (message) => note(name, ['healthcheck'], message));
    if (readiness) out.readiness = readiness;
    if (value.restart !== undefined && value.restart !== null) out.restart = value.restart;
    if (Array.isArray(value.profiles) && value.profiles.length > 0) out.profiles = value.profiles;
    const secrets = secretNames(value.environment);
    if (secrets.length > 0) {
      out.secrets = secrets;
      comment(name, 'secrets', 'variables whose names say they are secret: stackctl redacts their values everywhere');
    }
    if (origin.base) comment(name, Object.keys(out)[0] ?? 'image', 'merged from `extends` or several files');
    if (Object.keys(passthrough).length > 0) {
      out['x-compose'] = passthrough;
      comment(name, 'x-compose', `as written in the compose file, for \`stackctl export compose\`; stackctl up does not apply: ${Object.keys(passthrough).filter((key) => !COMPOSE_SIDE_DETAILS.has(key) && !key.startsWith('x-')).join(', ') || '(nothing: only compose-side details)'}`);
      for (const key of Object.keys(passthrough)) if (!COMPOSE_SIDE_DETAILS.has(key) && !key.startsWith('x-')) note(name, [key], `\`${key}\` is carried in x-compose (export compose restores it); stackctl up does not apply it`);
    }
    services[name] = out;
  }

  // `stackctl:` marks the file as a stack file (a compose file has no such key), so a plain
  // `depends_on` map with `condition: started` is read with stack.yaml's meaning.
  for (const name of restartDependents) {
    const target = services[name];
    if (isRecord(target)) target.restart_dependents = true;
  }

  const doc: Record<string, unknown> = {
    stackctl: { imported_from: sources.map((s) => path.relative(outDir, path.resolve(s.file)) || s.file).join(', ') },
    // COMPOSE_PROJECT_NAME may come from the .env beside the compose file, as in compose.
    name: projectName(merged.name, projectEnv, composeDir),
  };
  // ${VAR} references resolve as compose resolved them: from the .env beside the compose file.
  const dotenv = path.join(composeDir, '.env');
  if (outDir !== composeDir && existsSync(dotenv)) doc.env_file = path.relative(outDir, dotenv);
  const topPassthrough: Record<string, unknown> = {};
  for (const key of ['volumes', 'networks'] as const) {
    const entries = [...merged.top[key]];
    if (entries.length === 0) continue;
    doc[key] = Object.fromEntries(entries.map(([name, entry]) => [name, isRecord(entry.value) && entry.value.external ? { external: true } : {}]));
    if (entries.some(([, entry]) => isRecord(entry.value) && Object.entries(entry.value).some(([k, v]) => k !== 'external' || v !== true))) {
      topPassthrough[key] = Object.fromEntries(entries.map(([name, entry]) => [name, entry.value ?? {}]));
    }
  }
  for (const key of ['secrets', 'configs'] as const) {
    if (merged.top[key].size > 0) topPassthrough[key] = Object.fromEntries([...merged.top[key]].map(([name, entry]) => [name, rebaseFiles(entry.value, composeDir, rebase)]));
  }
  if (Object.keys(topPassthrough).length > 0) doc['x-compose'] = topPassthrough;
  doc.services = services;

  const document = new Document(doc);
  const header = [
    ` Imported by \`stackctl import\` from ${path.relative(outDir, file) || file}.`,
    ` Values are as written there: \${VAR} references are resolved from the environment and the .env beside this file.`,
  ];
  if ('version' in raw) header.push(' (the obsolete `version:` key was dropped)');
  if (Object.keys(raw).some((key) => key.startsWith('x-'))) header.push(' x- extension blocks are expanded into the services that used them.');
  for (const key of ['secrets', 'configs']) if (key in raw) header.push(` top-level \`${key}\` is carried in x-compose for export compose: stackctl up does not apply it.`);
  if ('include' in raw) header.push(' `include`d files are merged into this file.');
  document.commentBefore = header.join('\n');

  const servicesNode = document.get('services', true);
  if (isMap(servicesNode)) {
    for (const pair of servicesNode.items as Array<Pair<unknown, unknown>>) {
      if (!isScalar(pair.key) || !isMap(pair.value)) continue;
      const service = String(pair.key.value);
      for (const item of (pair.value as YAMLMap).items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const lines = comments.get(`${service}\0${String(item.key.value)}`);
        if (lines) item.key.commentBefore = lines.map((line) => ` ${line}`).join('\n');
      }
    }
  }
  return { text: document.toString({ lineWidth: 0 }), notes, services: Object.keys(services).length };
}

function pick(record: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}

function importBuild(build: unknown, dir: string, rebase: (text: string, dir: string) => string, dropped: (key: string) => void): unknown {
  if (typeof build === 'string') return rebase(build, dir);
  if (!isRecord(build)) return build;
  const out: Record<string, unknown> = { context: rebase(typeof build.context === 'string' ? build.context : '.', dir) };
  for (const key of ['dockerfile', 'dockerfile_inline', 'args', 'target'] as const) if (build[key] !== undefined && build[key] !== null) out[key] = build[key];
  if (isRecord(build.additional_contexts)) {
    out.additional_contexts = Object.fromEntries(
      Object.entries(build.additional_contexts).map(([name, value]) => [name, typeof value === 'string' && !/^[a-z-]+:/.test(value) ? rebase(value, dir) : value]),
    );
  }
  for (const key of Object.keys(build)) if (!['context', 'dockerfile', 'dockerfile_inline', 'args', 'target', 'additional_contexts'].includes(key)) dropped(key);
  return Object.keys(out).length === 1 ? out.context : out;
}

function importEnvFiles(value: unknown, dir: string, rebase: (text: string, dir: string) => string, comment: (text: string) => void): unknown {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const entry of list) {
    if (typeof entry === 'string') out.push(rebase(entry, dir));
    else if (isRecord(entry) && typeof entry.path === 'string') {
      if (entry.required === false && !existsSync(path.resolve(dir, entry.path))) {
        comment(`env_file ${entry.path} (required: false) does not exist and is left out; stack.yaml env files must exist`);
        continue;
      }
      out.push(rebase(entry.path, dir));
    }
  }
  if (out.length === 0) return undefined;
  return out.length === 1 && !Array.isArray(value) ? out[0] : out;
}

function importVolumes(volumes: unknown, tmpfs: unknown, dir: string, rebase: (text: string, dir: string) => string): unknown[] {
  const out: unknown[] = [];
  for (const volume of Array.isArray(volumes) ? volumes : []) {
    if (typeof volume === 'string') {
      const parts = splitOutsideReferences(volume);
      if (parts.length >= 2 && /^[.~$]/.test(parts[0]!)) out.push([rebase(parts[0]!, dir), ...parts.slice(1)].join(':'));
      else out.push(volume);
    } else if (isRecord(volume)) {
      const long = pick(volume, ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs']);
      if (volume.type === 'bind' && typeof volume.source === 'string') long.source = rebase(volume.source, dir);
      out.push(long);
    }
  }
  for (const target of typeof tmpfs === 'string' ? [tmpfs] : Array.isArray(tmpfs) ? tmpfs : []) {
    if (typeof target === 'string') out.push({ type: 'tmpfs', target: target.split(':')[0] });
  }
  return out;
}

function importNetworks(networks: unknown): unknown {
  if (!isRecord(networks)) return networks;
  return Object.fromEntries(
    Object.entries(networks).map(([name, config]) => [name, isRecord(config) && Array.isArray(config.aliases) ? { aliases: config.aliases } : null]),
  );
}

function importDependsOn(value: unknown): { value: Record<string, unknown>; plainList: boolean } | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    return { value: Object.fromEntries(value.filter((s): s is string => typeof s === 'string').map((s) => [s, { condition: 'started' }])), plainList: true };
  }
  if (!isRecord(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [service, config] of Object.entries(value)) {
    const entry = isRecord(config) ? config : {};
    const dependency: Record<string, unknown> = { condition: typeof entry.condition === 'string' ? composeCondition(entry.condition) ?? entry.condition : 'started' };
    if (entry.required === false) dependency.required = false;
    out[service] = dependency;
  }
  return { value: out, plainList: false };
}

function importHealthcheck(service: Record<string, unknown>, comment: (text: string) => void, note: (message: string) => void): Record<string, unknown> | undefined {
  const check = service.healthcheck;
  if (!isRecord(check) || check.disable === true || check.test === undefined || check.test === null) {
    if (isRecord(check) && check.disable !== true && (check.test === undefined || check.test === null)) note("a healthcheck without `test` uses the image's HEALTHCHECK; no readiness probe imported");
    return undefined;
  }
  const environment = rawEnvironment(service.environment);
  const command = typeof service.command === 'string' ? service.command.split(/\s+/) : Array.isArray(service.command) ? service.command.map(String) : undefined;
  const translation = translateHealthcheck(check.test, { syntax: 'raw', containerEnv: (name) => environment[name], ...(command ? { command } : {}) });
  if (translation.kind === 'disabled') return undefined;
  if (translation.kind === 'invalid') {
    note(`healthcheck not imported: ${translation.message}`);
    return undefined;
  }
  if ((typeof check.test === 'string' || Array.isArray(check.test)) && isVacuousHealthcheck(typeof check.test === 'string' ? check.test : check.test.map(String))) {
    note('healthcheck not imported as a readiness probe: it always succeeds, so it proves nothing (COMPOSE108)');
    return undefined;
  }
  const ms = (key: string, fallback: number): number => {
    const parsed = parseDuration(check[key]);
    return check[key] === undefined || !parsed.ok ? fallback : parsed.value;
  };
  const retries = typeof check.retries === 'number' ? check.retries : COMPOSE_HEALTHCHECK_DEFAULTS.retries;
  const deadline = healthcheckDeadline(ms('interval', COMPOSE_HEALTHCHECK_DEFAULTS.intervalMs), retries, ms('start_period', COMPOSE_HEALTHCHECK_DEFAULTS.startPeriodMs));
  comment(`from the healthcheck: ${translation.note}`);
  return { ...probeDocument(translation.probe), timeout: formatComposeDuration(deadline) };
}

/** The raw environment as a map of name → value as written (list or map form). */
function rawEnvironment(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return out;
}

/** ProbeSpec → the stack.yaml `readiness` fields. */
export function probeDocument(probe: ProbeSpec): Record<string, unknown> {
  switch (probe.kind) {
    case 'tcp':
      return { tcp: { port: probe.port } };
    case 'http': {
      const http: Record<string, unknown> = { port: probe.port, path: probe.path };
      if (probe.method !== 'GET') http.method = probe.method;
      if (Object.keys(probe.headers).length > 0) http.headers = probe.headers;
      http.status = probe.status.min === probe.status.max ? probe.status.min : `${probe.status.min}-${probe.status.max}`;
      if (probe.body !== undefined) http.body = probe.body;
      if (probe.json !== undefined) http.json = probe.json;
      return { http };
    }
    case 'postgres':
      return { postgres: { port: probe.port, user: probe.user, password: probe.password, database: probe.database } };
    case 'redis':
      return { redis: probe.password === undefined ? { port: probe.port } : { port: probe.port, password: probe.password } };
    case 'exec':
      return { exec: probe.command };
    case 'log':
      return { log: probe.pattern };
  }
}

function secretNames(environment: unknown): string[] {
  const names = isRecord(environment) ? Object.keys(environment) : Array.isArray(environment) ? environment.filter((e): e is string => typeof e === 'string').map((e) => e.split('=')[0]!) : [];
  return names.filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && isSecretName(name));
}

/** compose publishes a port without an IP on every interface; stackctl on 127.0.0.1: say 0.0.0.0. */
export function publishEverywhere(port: unknown, env: Readonly<Record<string, string | undefined>> = {}): unknown {
  if (typeof port === 'number') return `0.0.0.0::${port}`;
  if (typeof port === 'string') {
    // A port written with references (`"${WEB_PORT}"`, `"$BIND:80"`) is read as its value says now.
    const value = port.includes('$') ? interpolateString(port, env).value : port;
    if (value.startsWith('[') || value.includes('$')) return port;
    const colons = (value.replace(/\/\w+$/, '').match(/:/g) ?? []).length;
    if (colons === 0) return `0.0.0.0::${port}`;
    if (colons === 1) return `0.0.0.0:${port}`;
    return port;
  }
  if (isRecord(port) && port.host_ip === undefined && port.published !== undefined) return { ...port, host_ip: '0.0.0.0' };
  return port;
}

/** A top-level secret or config as written, its `file:` made relative to the output's directory. */
function rebaseFiles(value: unknown, dir: string, rebase: (text: string, dir: string) => string): unknown {
  return isRecord(value) && typeof value.file === 'string' ? { ...value, file: rebase(value.file, dir) } : value;
}
