/**
 * Stack → docker-compose file, so a team without stackctl runs the same stack with `docker compose`:
 * readiness probes become healthchecks (probe-to-healthcheck.ts) and `ready` dependencies become
 * `condition: service_healthy`. Values that came from `${VAR}` references are written as those
 * references (taken from the stack file as written), never as their values; a secret is never written.
 * Relative paths are rewritten relative to the output file's directory. The output works with Debian's
 * docker-compose 1.29 (no top-level `name`, no `depends_on.required`, no `start_interval`) and with v2.
 * Pure: the caller reads the stack file and writes the result.
 */
import path from 'node:path';
import { Document, isMap, isPair, isScalar, YAMLMap } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import type { Dependency, PortMapping, Service, Stack, VolumeMount } from '../config/model.js';
import type { YamlSource } from '../config/yaml-source.js';
import { isSecretName } from '../config/secret-values.js';
import { escapeCompose, probeToHealthcheck, type CredentialSource } from './probe-to-healthcheck.js';
import { formatComposeDuration } from './duration.js';
import { isRecord } from '../is-record.js';
import { holdsSecretValue, scrubSecrets, variableHoldsOther } from './export-secrets.js';
import { splitOutsideReferences } from './split-colons.js';

export interface ExportOptions {
  /** Absolute path the compose file will be written to (relative paths are made relative to its directory). */
  outputFile: string;
  /** The stack file as written (for `${VAR}` references); without it, values are written as loaded. */
  raw?: YamlSource;
  /** Healthcheck interval; default compose's own (30 s, not written). */
  healthcheckIntervalMs?: number;
  /** Per-check timeout written into healthchecks; default 5 s. */
  healthcheckTimeoutMs?: number;
}

export interface ExportResult {
  text: string;
  /** Things compose cannot express exactly (EXPORT001), each naming the service. */
  warnings: Diagnostic[];
  /** Key paths that would hold part of a secret no `${VAR}` can stand for: the caller must not write the file. */
  unexportable: string[];
  /**
   * The variables the export references in place of secret values, with the values they stand for: what
   * the .env given to docker compose must set beside the stack's own. In memory only (the round-trip
   * test passes them to docker-compose); stackctl never prints or writes them.
   */
  secretEnv: ReadonlyMap<string, string>;
}

export const DEFAULT_COMPOSE_INTERVAL_MS = 30_000;
const CONDITION = { started: 'service_started', ready: 'service_healthy', completed: 'service_completed_successfully' } as const;

export function exportCompose(stack: Stack, options: ExportOptions): ExportResult {
  const outDir = path.dirname(path.resolve(options.outputFile));
  const warnings: Diagnostic[] = [];
  const rawServices = isRecord(options.raw?.value) && isRecord(options.raw.value.services) ? options.raw.value.services : {};
  const interval = options.healthcheckIntervalMs ?? DEFAULT_COMPOSE_INTERVAL_MS;
  const checkTimeout = options.healthcheckTimeoutMs ?? 5_000;
  const rel = (absolute: string): string => {
    const relative = path.relative(outDir, absolute) || '.';
    // A path that shares nothing with the output's directory but the root (`/`, `/etc/…`) stays absolute.
    if (path.isAbsolute(absolute) && relative.split(path.sep).filter((part) => part === '..').length >= path.resolve(outDir).split(path.sep).length - 1) return absolute;
    return relative.startsWith('.') ? relative : `./${relative}`;
  };
  const warn = (service: Service, message: string, hint: string): void => {
    warnings.push({ code: 'EXPORT001', severity: 'warning', service: service.name, location: service.location, message, hint });
  };

  const healthy = new Set<string>();
  const secretEnv = new Map<string, string>();
  const services: Record<string, unknown> = {};
  const comments = new Map<string, string[]>();
  const note = (service: string, text: string): void => {
    comments.set(service, [...(comments.get(service) ?? []), text]);
  };

  const healthchecks = new Map<string, Record<string, unknown>>();
  const passthroughOf = (name: string): Record<string, unknown> => {
    const rawService = rawServices[name];
    return isRecord(rawService) && isRecord(rawService['x-compose']) ? rawService['x-compose'] : {};
  };
  for (const service of stack.services) {
    // A healthcheck carried from an imported compose file is restored as written.
    const carried = passthroughOf(service.name).healthcheck;
    if (isRecord(carried) && holdsSecretValue(stack, carried)) {
      warn(service, 'the healthcheck carried in x-compose holds a secret value; the export writes the readiness probe\'s healthcheck instead', 'reference the secret through the container\'s environment ($$NAME) in x-compose.healthcheck');
    } else if (isRecord(carried)) {
      healthchecks.set(service.name, carried);
      const test = carried.test;
      if (carried.disable !== true && !(Array.isArray(test) && test[0] === 'NONE') && test !== undefined) healthy.add(service.name);
      continue;
    }
    if (!service.readiness) continue;
    const exported = probeToHealthcheck(service.readiness.probe, credentialSource(stack, service, rawServices[service.name]));
    if (exported.kind === 'none') {
      warn(service, exported.reason, 'dependents that need it ready only wait for its start under docker compose');
      continue;
    }
    // start_period + retries × interval = the probe's deadline, exactly (the importer reads it back so).
    const deadline = service.readiness.timeoutMs;
    const every = Math.max(1000, Math.min(interval, deadline));
    const retries = Math.max(1, Math.floor(deadline / every));
    const startPeriod = Math.max(0, deadline - retries * every);
    const check: Record<string, unknown> = { test: exported.test };
    if (every !== DEFAULT_COMPOSE_INTERVAL_MS) check.interval = formatComposeDuration(every);
    check.timeout = formatComposeDuration(checkTimeout);
    check.retries = retries;
    if (startPeriod > 0) check.start_period = formatComposeDuration(startPeriod);
    healthchecks.set(service.name, check);
    healthy.add(service.name);
    note(service.name, `healthcheck: stackctl's ${service.readiness.probe.kind} probe, run inside the container (deadline ${formatComposeDuration(deadline)})`);
  }

  for (const service of stack.services) {
    const raw = isRecord(rawServices[service.name]) ? (rawServices[service.name] as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    if (service.image !== undefined) out.image = rawString(raw.image) ?? escapeCompose(service.image);
    if (service.build) {
      const build: Record<string, unknown> = { context: rel(service.build.context) };
      const rawDockerfile = isRecord(raw.build) && typeof raw.build.dockerfile === 'string' ? raw.build.dockerfile : undefined;
      if (service.build.dockerfileInline !== undefined) build.dockerfile_inline = escapeCompose(service.build.dockerfileInline);
      // Relative to the context, which moves with it: as written, even when it names the default.
      else if (rawDockerfile !== undefined && !path.isAbsolute(rawDockerfile)) build.dockerfile = rawDockerfile;
      else if (service.build.dockerfile && path.relative(service.build.context, service.build.dockerfile) !== 'Dockerfile') {
        build.dockerfile = path.relative(service.build.context, service.build.dockerfile);
      }
      if (service.build.target !== undefined) build.target = service.build.target;
      const rawArgs = isRecord(raw.build) ? raw.build.args : undefined;
      if (Object.keys(service.build.args).length > 0) build.args = rawMap(rawArgs) ?? escapeValues(service.build.args);
      if (Object.keys(service.build.additionalContexts).length > 0) {
        build.additional_contexts = Object.fromEntries(
          Object.entries(service.build.additionalContexts).map(([name, value]) => [name, path.isAbsolute(value) ? rel(value) : value]),
        );
      }
      out.build = Object.keys(build).length === 1 ? build.context : build;
    }
    for (const key of ['command', 'entrypoint'] as const) {
      const words = service[key];
      if (!words) continue;
      const written = raw[key];
      out[key] = typeof written === 'string' && written.includes('$') ? written : Array.isArray(written) && written.some((w) => String(w).includes('$')) ? written.map(String) : words.map(escapeCompose);
    }

    const environment = exportEnvironment(stack, service, raw.environment, warn, secretEnv);
    if (Object.keys(environment).length > 0) out.environment = environment;
    if (service.envFiles.length > 0) out.env_file = service.envFiles.map(rel);

    const ports = exportPorts(service, raw.ports);
    if (ports.length > 0) out.ports = ports;
    const volumes = exportVolumes(service, raw.volumes, passthroughOf(service.name).tmpfs, rel);
    if (volumes.length > 0) out.volumes = volumes;
    const networks = exportNetworks(service);
    if (networks !== undefined) out.networks = networks;

    if (service.dependsOn.length > 0) {
      const dependsOn: Record<string, unknown> = {};
      for (const dependency of service.dependsOn) dependsOn[dependency.service] = exportDependency(service, dependency, healthy, warn);
      out.depends_on = dependsOn;
    }
    const healthcheck = healthchecks.get(service.name);
    if (healthcheck) out.healthcheck = healthcheck;
    if (service.restart.name !== 'no') out.restart = service.restart.maxRetries !== undefined ? `${service.restart.name}:${service.restart.maxRetries}` : service.restart.name;
    if (service.profiles.length > 0) out.profiles = service.profiles;
    const passthrough = passthroughOf(service.name);
    for (const key of Object.keys(passthrough)) {
      if (key === 'healthcheck' || !holdsSecretValue(stack, passthrough[key])) continue;
      warn(service, `x-compose.${key} holds a secret value and is not exported`, `reference the secret as \${NAME} in x-compose.${key}, and set NAME in the .env you pass to docker compose`);
    }
    restorePassthrough(out, Object.fromEntries(Object.entries(passthrough).filter(([key, value]) => key === 'healthcheck' || !holdsSecretValue(stack, value))));
    services[service.name] = out;
  }

  const doc: Record<string, unknown> = { services };
  const volumes = Object.entries(stack.volumes);
  if (volumes.length > 0) doc.volumes = Object.fromEntries(volumes.map(([name, volume]) => [name, volume.external ? { external: true } : {}]));
  const networks = Object.entries(stack.networks).filter(([name, network]) => name !== 'default' || network.external);
  if (networks.length > 0) doc.networks = Object.fromEntries(networks.map(([name, network]) => [name, network.external ? { external: true } : {}]));
  // Top-level definitions carried from an imported compose file (secrets, configs, full volumes/networks).
  const topPassthrough = isRecord(options.raw?.value) && isRecord(options.raw.value['x-compose']) ? options.raw.value['x-compose'] : {};
  for (const [key, value] of Object.entries(topPassthrough)) {
    if (!isRecord(value)) continue;
    if (key === 'volumes' || key === 'networks') doc[key] = { ...(isRecord(doc[key]) ? doc[key] : {}), ...value };
    // A secret's or config's `file:` is relative to the stack file; the export lives elsewhere.
    else if (key === 'secrets' || key === 'configs') doc[key] = Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, isRecord(entry) && typeof entry.file === 'string' ? { ...entry, file: rel(path.resolve(stack.dir, entry.file)) } : entry]));
    else doc[key] = value;
  }

  const scrubbed = scrubSecrets(stack, doc);
  for (const name of scrubbed.invented) {
    warnings.push({ code: 'EXPORT002', severity: 'warning', location: { file: stack.file, line: 0, col: 0 }, message: `a secret value no variable holds is written as \${${name}}`, hint: `set ${name} in the .env you pass to docker compose (the export never writes secret values)` });
  }
  // YAML 1.1 scalars, so strings docker-compose (PyYAML) would read as booleans or numbers (`yes`, `on`, `1:2`) are quoted.
  const document = new Document(scrubbed.value, { version: '1.1' });
  const source = path.relative(outDir, stack.file) || stack.file;
  document.commentBefore = [
    ` Generated by \`stackctl export compose\` from ${source} — do not edit; regenerate instead.`,
    ` Run it from the directory of ${path.basename(stack.file)}, with the stack's .env (docker-compose 1.29 or docker compose v2):`,
    `   docker-compose -p ${stack.name} --env-file .env -f ${path.relative(stack.dir, path.resolve(options.outputFile))} up -d`,
    ` Readiness probes are healthchecks and ready dependencies wait with condition: service_healthy.`,
  ].join('\n');
  const servicesNode = document.get('services', true);
  if (isMap(servicesNode)) {
    for (const pair of servicesNode.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const lines = comments.get(String(pair.key.value));
      if (lines && pair.value instanceof YAMLMap) {
        const hc = pair.value.items.find((item) => isScalar(item.key) && item.key.value === 'healthcheck');
        if (hc && isScalar(hc.key)) hc.key.commentBefore = lines.map((line) => ` ${line}`).join('\n');
      }
    }
  }
  const text = document.toString({ lineWidth: 0, indentSeq: true });
  return { text, warnings, unexportable: scrubbed.unexportable, secretEnv: new Map([...secretEnv, ...scrubbed.references]) };
}

/** A raw string from the stack file when it holds a reference (so the reference is written, not its value). */
function rawString(value: unknown): string | undefined {
  return typeof value === 'string' && value.includes('$') ? value : undefined;
}

function rawMap(value: unknown): Record<string, string | number | boolean> | undefined {
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : typeof v === 'number' || typeof v === 'boolean' ? v : String(v)]));
  return undefined;
}

function escapeValues(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, escapeCompose(v)]));
}

/** Raw text of one environment key in the stack file (map or list form), when written there. */
function rawEnvValue(raw: unknown, key: string): string | null | undefined {
  if (isRecord(raw)) return key in raw ? (raw[key] === null ? null : String(raw[key])) : undefined;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq < 0 && item === key) return null;
      if (eq >= 0 && item.slice(0, eq) === key) return item.slice(eq + 1);
    }
  }
  return undefined;
}

function exportEnvironment(stack: Stack, service: Service, raw: unknown, warn: (s: Service, m: string, h: string) => void, secretEnv: Map<string, string>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  const envFiles = new Set(service.envFiles);
  const keys = new Set([...Object.keys(service.environment), ...Object.keys(service.environmentLocations)]);
  for (const key of keys) {
    const location = service.environmentLocations[key];
    if (location && envFiles.has(location.file)) continue; // comes with env_file
    const written = rawEnvValue(raw, key);
    if (written === null || (written === undefined && !(key in service.environment))) {
      out[key] = null; // passed through from the environment
      continue;
    }
    if (written !== undefined && written.includes('$')) {
      out[key] = written;
      continue;
    }
    const value = service.environment[key] ?? '';
    if ((service.secrets.includes(key) || isSecretName(key)) && value.length >= 3 && stack.secretValues.includes(value) && !variableHoldsOther(stack, key, value)) {
      out[key] = `\${${key}}`;
      secretEnv.set(key, value);
      warn(service, `${key} is a literal secret in the stack file; the export references \${${key}} instead of writing it`, `set ${key} in the .env you pass to docker compose`);
      continue;
    }
    // A number or boolean written as such stays one (`docker compose config` prints it so).
    const scalar = rawEnvScalar(raw, key);
    out[key] = scalar ?? escapeCompose(value);
  }
  return out;
}

/** A number or boolean written as an environment value in the stack file's map form. */
function rawEnvScalar(raw: unknown, key: string): number | boolean | undefined {
  const value = isRecord(raw) ? raw[key] : undefined;
  return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function exportPorts(service: Service, raw: unknown): unknown[] {
  if (Array.isArray(raw) && raw.length > 0) {
    return raw.map((item) => {
      if (typeof item === 'number') return `127.0.0.1::${item}`;
      if (typeof item === 'string') return explicitHostIp(item);
      if (isRecord(item)) return longPortAsShort(item);
      return item;
    });
  }
  return service.ports.map(formatPort);
}

/**
 * docker-compose 1.29 refuses `host_ip` in long-syntax ports, and stackctl's binding needs an IP: the
 * long syntax is written as the short one, `IP:PUBLISHED:TARGET/PROTOCOL` (`mode`, `name` and
 * `app_protocol` have no short form; they are left out — docs/compose.md lists it).
 */
function longPortAsShort(item: Record<string, unknown>): string {
  const ip = typeof item.host_ip === 'string' ? item.host_ip : '127.0.0.1';
  const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
  const published = item.published === undefined || item.published === null ? '' : String(item.published);
  const protocol = typeof item.protocol === 'string' && item.protocol !== 'tcp' ? `/${item.protocol}` : '';
  return `${host}:${published}:${String(item.target)}${protocol}`;
}

/** Keys carried in a service's `x-compose` (from `stackctl import`) go back as written. */
function restorePassthrough(out: Record<string, unknown>, passthrough: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(passthrough)) {
    if (key === 'healthcheck') continue; // restored with the healthchecks
    if (key === 'build' && isRecord(value) && out.build !== undefined) {
      out.build = { ...(typeof out.build === 'string' ? { context: out.build } : isRecord(out.build) ? out.build : {}), ...value };
    } else {
      out[key] = value;
    }
  }
}

/** stackctl publishes on 127.0.0.1 unless told otherwise; compose on every interface: say it. */
function explicitHostIp(short: string): string {
  const body = short.replace(/\/(tcp|udp)$/, '');
  const colons = (body.replace(/^\[[^\]]*\]/, '').match(/:/g) ?? []).length;
  if (short.startsWith('[') || colons >= 2) return short;
  if (colons === 1) return `127.0.0.1:${short}`;
  return `127.0.0.1::${short}`;
}

function formatPort(port: PortMapping): string {
  const proto = port.protocol === 'udp' ? '/udp' : '';
  const ip = port.hostIp ?? '127.0.0.1';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `${host}:${port.published ?? ''}:${port.target}${proto}`;
}

/**
 * The stack file's volumes as written (mode flags such as `:z`, `:cached`, `rslave`, the long syntax and
 * its options stay), bind sources rewritten for the export's directory. A `tmpfs` mount that came from
 * the service's `tmpfs:` key goes back there (with the x-compose passthrough), not into `volumes`.
 */
function exportVolumes(service: Service, raw: unknown, carriedTmpfs: unknown, rel: (p: string) => string): unknown[] {
  const tmpfs = new Set((typeof carriedTmpfs === 'string' ? [carriedTmpfs] : Array.isArray(carriedTmpfs) ? carriedTmpfs : []).map((entry) => String(entry).split(':')[0]));
  const written = Array.isArray(raw) && raw.length === service.volumes.length ? raw : undefined;
  const out: unknown[] = [];
  service.volumes.forEach((mount, index) => {
    if (mount.type === 'tmpfs' && tmpfs.has(mount.target)) return;
    const item: unknown = written?.[index];
    const source = mount.type === 'bind' && mount.source !== undefined ? rel(mount.source) : undefined;
    if (typeof item === 'string') {
      const parts = splitOutsideReferences(item);
      out.push(parts.length > 1 && source !== undefined ? [source, ...parts.slice(1)].join(':') : item);
    } else if (isRecord(item)) {
      out.push(source !== undefined ? { ...item, source } : item);
    } else {
      out.push(exportVolume(mount, rel));
    }
  });
  return out;
}

function exportVolume(mount: VolumeMount, rel: (p: string) => string): unknown {
  if (mount.type === 'tmpfs') return { type: 'tmpfs', target: mount.target };
  const mode = mount.readOnly ? ':ro' : '';
  if (mount.source === undefined) return mount.target;
  const source = mount.type === 'bind' ? rel(mount.source) : mount.source;
  return `${source}:${mount.target}${mode}`;
}

function exportNetworks(service: Service): unknown {
  if (service.networks.length === 0) return undefined;
  if (service.networks.length === 1 && service.networks[0]!.name === 'default' && service.networks[0]!.aliases.length === 0) return undefined;
  if (service.networks.every((network) => network.aliases.length === 0)) return service.networks.map((network) => network.name);
  return Object.fromEntries(service.networks.map((network) => [network.name, network.aliases.length > 0 ? { aliases: network.aliases } : null]));
}

function exportDependency(service: Service, dependency: Dependency, healthy: Set<string>, warn: (s: Service, m: string, h: string) => void): Record<string, unknown> {
  let condition: string = CONDITION[dependency.condition];
  if (dependency.condition === 'ready' && !healthy.has(dependency.service)) {
    condition = CONDITION.started;
    warn(service, `${service.name} needs ${dependency.service} ready, but ${dependency.service} has no healthcheck in the export; compose only waits for its start`, `give ${dependency.service} a readiness probe compose can run (tcp, http, postgres, redis, exec)`);
  }
  if (!dependency.required) {
    warn(service, `optional dependency on ${dependency.service} is written as required (docker-compose 1.29 has no \`required: false\`)`, 'docker compose v2.20+ understands `required: false`; add it by hand if you only use v2');
  }
  return { condition };
}

/**
 * Where a probe's credential can come from without writing it into the file: first by what the stack
 * file writes (`password: ${POSTGRES_PASSWORD}` and `POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}` in the
 * environment → `$$POSTGRES_PASSWORD`), which does not depend on the variables' values; then by value.
 */
function credentialSource(stack: Stack, service: Service, raw: unknown): CredentialSource {
  const rawService = isRecord(raw) ? raw : {};
  const rawEnv = rawService.environment;
  const readiness = isRecord(rawService.readiness) ? rawService.readiness : {};
  const kind = service.readiness?.probe.kind ?? '';
  const rawProbe = readiness[kind];
  const envNames = [...new Set([...Object.keys(service.environment), ...Object.keys(service.environmentLocations)])];
  return {
    credential(field, value, prefer) {
      let written: unknown = rawProbe;
      for (const key of field) written = isRecord(written) ? written[key] : undefined;
      if (typeof written === 'string' && /^\$\{?[A-Za-z_][A-Za-z0-9_]*(\}|:-[^}]*\})?$/.test(written.trim())) {
        const expression = written.trim();
        const candidates = envNames.filter((name) => rawEnvValue(rawEnv, name)?.trim() === expression);
        const preferred = prefer ? candidates.filter((name) => prefer.test(name)) : [];
        const name = preferred[0] ?? candidates[0];
        return name ? { kind: 'container', name } : { kind: 'expression', text: expression };
      }
      if (value !== '') {
        const names = envNames.filter((name) => service.environment[name] === value);
        const preferred = prefer ? names.filter((name) => prefer.test(name)) : [];
        const name = preferred[0] ?? names[0];
        if (name) return { kind: 'container', name };
      }
      if (value === '' || !stack.secretValues.includes(value)) return { kind: 'literal' };
      const reference = stack.variables.find((ref) => ref.value === value && (ref.service === undefined || ref.service === service.name));
      return reference ? { kind: 'expression', text: `\${${reference.name}}` } : undefined;
    },
  };
}
