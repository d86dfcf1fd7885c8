/**
 * Stack → the compose v3 file `docker stack deploy` takes: no `build:` (images are built first and
 * referenced), no `depends_on` (Swarm ignores it; stackctl deploys level by level instead), readiness
 * probes as healthchecks that prove the same thing as stackctl's probes and read their credentials
 * from Docker secrets files (/run/secrets/<name>), never from the command line. This kernel has no
 * IPVS: every service uses `endpoint_mode: dnsrr` and publishes in `mode: host`; the ports a probe or
 * the suite needs but the stack does not publish get an engine-chosen host port.
 *
 * Secret values never enter the file: the environment and command lines reference them as `${VAR}`,
 * which `docker stack deploy` fills from the environment stackctl gives it (`deployEnv`). Pure.
 */
import { Document } from 'yaml';
import type { Service, Stack } from '../config/model.js';
import { stackSecrets, type EnvSource } from '../config/secret-keys.js';
import { secretFileCheck } from '../compose/secret-file-check.js';
import { escapeCompose } from '../compose/probe-to-healthcheck.js';
import { formatComposeDuration } from '../compose/duration.js';
import { imageRef } from '../plan/container-spec.js';
import type { Diagnostic } from '../diagnostic.js';
import { createHash } from 'node:crypto';

export interface SwarmComposeOptions {
  /** Only these services (a deploy level and those before it); default all. */
  services?: readonly string[];
  /** service → image reference (a registry's); default the stack's image. */
  images?: Record<string, string>;
  /** service → placement constraints (`node.hostname == worker-1`). */
  placement?: Record<string, string[]>;
  /** Healthcheck interval; default 2 s. */
  intervalMs?: number;
}

export interface SwarmSecret {
  /** The stack's key (a variable name). */
  key: string;
  /** Docker secret name: `<stack>_<key>_<digest>` — a changed value is a new secret (they are immutable). */
  name: string;
  value: string;
}

export interface SwarmCompose {
  text: string;
  /** Variables `docker stack deploy` needs in its environment (secret values the file references). */
  deployEnv: Record<string, string>;
  /** Docker secrets the services mount (created before the deploy). */
  secrets: SwarmSecret[];
  warnings: Diagnostic[];
}

export const SECRETS_DIR = '/run/secrets';

/** `${VAR}` name for a secret key in the deploy environment. */
function envNameOf(key: string): string {
  return `STACKCTL_SECRET_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function dockerSecretName(stack: string, key: string, value: string): string {
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 10);
  return `${stack}_${key.replace(/[^A-Za-z0-9_.-]/g, '_')}_${digest}`;
}

export function swarmCompose(stack: Stack, options: SwarmComposeOptions = {}): SwarmCompose {
  const secrets = stackSecrets(stack);
  const warnings: Diagnostic[] = [];
  const deployEnv: Record<string, string> = {};
  const mounted = new Map<string, SwarmSecret>();
  const interval = options.intervalMs ?? 2000;
  const wanted = new Set(options.services ?? stack.services.map((s) => s.name));
  const warn = (service: Service, message: string, hint: string): void => {
    warnings.push({ code: 'SWARM001', severity: 'warning', service: service.name, location: service.location, message, hint });
  };
  const reference = (key: string): string => {
    const name = envNameOf(key);
    deployEnv[name] = secrets.keys.get(key) ?? '';
    return `\${${name}}`;
  };
  const expand = (parts: Array<{ text: string } | { key: string }>): string => parts.map((part) => ('text' in part ? escapeCompose(part.text) : reference(part.key))).join('');

  const services: Record<string, unknown> = {};
  const volumes = new Set<string>();
  for (const service of stack.services) {
    if (!wanted.has(service.name)) continue;
    const out: Record<string, unknown> = { image: options.images?.[service.name] ?? imageRef(stack, service) };
    if (service.entrypoint) out.entrypoint = service.entrypoint.map((word) => expand(secrets.split(word)));
    if (service.command) out.command = service.command.map((word) => expand(secrets.split(word)));
    const environment: Record<string, string> = {};
    for (const [name, source] of secrets.environment.get(service.name) ?? new Map<string, EnvSource>()) {
      environment[name] = source.kind === 'plain' ? escapeCompose(source.value) : source.kind === 'secret' ? reference(source.key) : expand(source.parts);
    }
    if (Object.keys(environment).length > 0) out.environment = environment;

    const ports: Array<Record<string, unknown>> = service.ports.map((port) => ({
      target: port.target,
      ...(port.published !== undefined ? { published: port.published } : {}),
      protocol: port.protocol,
      mode: 'host',
    }));
    const probe = service.readiness?.probe;
    // The probe's port, published on an engine-chosen port: the suite's direct checks (postgres, redis) need it.
    if (probe && 'port' in probe && !service.ports.some((p) => p.target === probe.port)) ports.push({ target: probe.port, protocol: 'tcp', mode: 'host' });
    if (ports.length > 0) out.ports = ports;

    const mounts: string[] = [];
    for (const mount of service.volumes) {
      if (mount.type === 'bind') {
        warn(service, `bind mount of ${mount.source ?? '?'} is left out: a Swarm task may run on a node without that path`, 'ship the files in the image, or use a named volume');
        continue;
      }
      if (mount.type === 'tmpfs') {
        mounts.push(`tmpfs:${mount.target}`);
        continue;
      }
      if (mount.source !== undefined) volumes.add(mount.source);
      mounts.push(`${mount.source !== undefined ? `${mount.source}:` : ''}${mount.target}${mount.readOnly ? ':ro' : ''}`);
    }
    if (mounts.length > 0) {
      out.volumes = mounts.map((m) => (m.startsWith('tmpfs:') ? { type: 'tmpfs', target: m.slice(6) } : m));
    }

    const serviceSecrets: string[] = [];
    if (service.readiness) {
      const check = secretFileCheck(service.readiness.probe, '127.0.0.1', {
        credential(field, value) {
          const secretField = field[0] === 'password' || (field[0] === 'headers' && /auth|key|token|secret|cookie|password/i.test(field[1] ?? ''));
          if (!secretField && !stack.secretValues.includes(value)) return { kind: 'literal' };
          const key = secrets.keyForValue(value, field[0] === 'password' ? /PASS/i : undefined);
          if (key === undefined) return undefined;
          const secret: SwarmSecret = mounted.get(key) ?? { key, name: dockerSecretName(stack.name, key, secrets.keys.get(key) ?? ''), value: secrets.keys.get(key) ?? '' };
          mounted.set(key, secret);
          if (!serviceSecrets.includes(key)) serviceSecrets.push(key);
          return { kind: 'file', path: `${SECRETS_DIR}/${key}` };
        },
      });
      if (check.kind === 'none') {
        warn(service, `no healthcheck: ${check.reason}`, 'dependants are deployed once its task runs, without a readiness check');
      } else {
        const deadline = service.readiness.timeoutMs;
        out.healthcheck = {
          test: ['CMD', ...check.argv.map(escapeCompose)],
          interval: formatComposeDuration(interval),
          timeout: '10s',
          // Swarm replaces a task whose healthcheck keeps failing — a liveness check the stack never
          // asked for. Only a minute of failures in a row counts, so load or a dependency's restart
          // does not kill a service that is merely slow (a briefly failing readiness is normal).
          retries: Math.max(3, Math.ceil(60_000 / interval)),
          // Failures inside the start period do not count; the first success makes the task healthy.
          start_period: formatComposeDuration(deadline),
        };
      }
    }
    if (serviceSecrets.length > 0) out.secrets = serviceSecrets.map((key) => ({ source: key, target: key, mode: 0o444 }));

    const deploy: Record<string, unknown> = {
      endpoint_mode: 'dnsrr',
      replicas: 1,
      restart_policy: { condition: service.restart.name === 'no' ? 'on-failure' : 'any' },
      labels: { 'io.stackctl.stack': stack.name, 'io.stackctl.service': service.name },
    };
    const constraints = options.placement?.[service.name];
    if (constraints && constraints.length > 0) deploy.placement = { constraints };
    out.deploy = deploy;
    services[service.name] = out;
  }

  const doc: Record<string, unknown> = { version: '3.8', services };
  if (volumes.size > 0) doc.volumes = Object.fromEntries([...volumes].map((v) => [v, stack.volumes[v]?.external ? { external: true } : {}]));
  if (mounted.size > 0) doc.secrets = Object.fromEntries([...mounted.values()].map((s) => [s.key, { external: true, name: s.name }]));
  const document = new Document(doc, { aliasDuplicateObjects: false });
  document.commentBefore = ` Generated by stackctl for \`docker stack deploy\` (${stack.name}) — secret values come from the deploy's environment.`;
  return { text: document.toString({ lineWidth: 0 }), deployEnv, secrets: [...mounted.values()], warnings };
}
