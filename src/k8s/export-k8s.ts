/**
 * Stack → Kubernetes objects (`stackctl export k8s`): a Deployment per stateless service, a StatefulSet
 * (with a volumeClaimTemplate) per service owning named volumes, a Service per service with its ports,
 * one Secret with the stack's secret keys (no values unless asked), a ConfigMap per service with the
 * rest of its environment (env_file included). stackctl's authenticated probe becomes the readinessProbe
 * (and a startupProbe with the probe's deadline) as an exec check reading its credentials from the
 * mounted Secret; each depends_on edge becomes an init container running the dependency's own check
 * against its Service name, in the dependency's image. Pure: the CLI supplies image references.
 */
import type { V1Container, V1EnvVar, V1PodSpec, V1Probe, V1Volume, V1VolumeMount, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Dependency, ProbeSpec, Service, Stack } from '../config/model.js';
import { stackSecrets, type EnvSource, type StackSecrets } from '../config/secret-keys.js';
import { secretFileCheck, tcpWait, waitLoop, type CheckCredentials } from '../compose/secret-file-check.js';
import type { Diagnostic } from '../diagnostic.js';
import { urlsInEnvironment } from '../validate/support/urls.js';
import { imageRef } from '../plan/container-spec.js';
import { dnsLabel, labelsFor, portName, selectorFor, type K8sObject } from './objects.js';

export interface K8sExportOptions {
  /** Write the Secret's values (base64 `data`); default false: the Secret lists its keys only. */
  includeSecretValues?: boolean;
  /** service → image reference to deploy (e.g. registry/name:content-hash); default the stack's image. */
  images?: Record<string, string>;
  /** Size requested by each PersistentVolumeClaim; default 1Gi. */
  storage?: string;
  /** Probe period; default 5 s. */
  probePeriodSeconds?: number;
}

export interface K8sExport {
  objects: K8sObject[];
  /** Header comments per object (`Kind/name` → lines). */
  comments: Map<string, string[]>;
  /** PersistentVolumeClaims the pods use but the export does not create (external volumes). */
  externalClaims: string[];
  /** Things Kubernetes cannot express as the stack does (EXPORT002), each naming the service. */
  warnings: Diagnostic[];
  secretName: string;
}

export const SECRET_DIR = '/var/run/secrets/stackctl';
export const SECRET_KEYS_ANNOTATION = 'stackctl.dev/secret-keys';
const SECRET_VOLUME = 'stackctl-secrets';
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;
const PREFER: Record<string, RegExp> = { password: /PASS/i, user: /USER/i, database: /DB|DATABASE/i };

interface Port {
  port: number;
  protocol: 'tcp' | 'udp';
}

export function objectKey(object: K8sObject): string {
  return `${object.kind}/${object.metadata?.name ?? ''}`;
}

export function exportKubernetes(stack: Stack, options: K8sExportOptions = {}): K8sExport {
  const secrets = stackSecrets(stack);
  const secretName = `${dnsLabel(stack.name)}-secrets`;
  const warnings: Diagnostic[] = [];
  const comments = new Map<string, string[]>();
  const usedKeys = new Set<string>();
  const period = options.probePeriodSeconds ?? 5;
  const warn = (service: Service, message: string, hint: string): void => {
    warnings.push({ code: 'EXPORT002', severity: 'warning', service: service.name, location: service.location, message, hint });
  };
  const imageOf = (service: Service): string => options.images?.[service.name] ?? imageRef(stack, service);
  const ports = new Map(stack.services.map((service) => [service.name, containerPorts(stack, service)]));

  // A named volume used by one service is that service's own (a StatefulSet's claim template); one
  // used by several is a shared PersistentVolumeClaim (ReadWriteMany).
  const volumeUsers = new Map<string, string[]>();
  for (const service of stack.services) {
    for (const mount of service.volumes) {
      if (mount.type === 'volume' && mount.source !== undefined) volumeUsers.set(mount.source, [...new Set([...(volumeUsers.get(mount.source) ?? []), service.name])]);
    }
  }
  const externalClaims = new Set<string>();
  const sharedClaims = new Set<string>();
  for (const [volume, users] of volumeUsers) {
    if (stack.volumes[volume]?.external) externalClaims.add(dnsLabel(volume));
    else if (users.length > 1) sharedClaims.add(volume);
  }

  const credentialsFor = (owner: Service, keys: Set<string>): CheckCredentials => ({
    credential(field, value) {
      const secretField = field[0] === 'password' || (field[0] === 'headers' && CREDENTIAL_HEADER.test(field[1] ?? ''));
      if (!secretField && !stack.secretValues.includes(value)) return { kind: 'literal' };
      const key = secrets.keyForValue(value, PREFER[field[0] ?? '']) ?? keyWrittenFor(stack, secrets, owner, field);
      if (key === undefined) return undefined;
      keys.add(key);
      return { kind: 'file', path: `${SECRET_DIR}/${key}` };
    },
  });

  const objects: K8sObject[] = [];
  const workloads: K8sObject[] = [];
  const services: K8sObject[] = [];
  const configMaps: K8sObject[] = [];
  const claims: K8sObject[] = [];

  for (const service of stack.services) {
    const name = dnsLabel(service.name);
    if (name !== service.name) warn(service, `"${service.name}" is not a valid Kubernetes name; its objects and Service are named "${name}", so other services must reach it as ${name}`, `rename the service to ${name} (lowercase letters, digits and '-')`);
    const podKeys = new Set<string>();
    const servicePorts = ports.get(service.name) ?? [];

    // Environment: plain values in a ConfigMap, secrets from the Secret, composed values as $(KEY).
    const sources = secrets.environment.get(service.name) ?? new Map<string, EnvSource>();
    const plain: Record<string, string> = {};
    const secretEnv: V1EnvVar[] = [];
    const composedEnv: V1EnvVar[] = [];
    const envNameOfKey = new Map<string, string>();
    for (const [variable, source] of sources) {
      if (source.kind === 'plain') plain[variable] = source.value;
      if (source.kind === 'secret') {
        secretEnv.push({ name: variable, valueFrom: { secretKeyRef: { name: secretName, key: source.key } } });
        if (!envNameOfKey.has(source.key)) envNameOfKey.set(source.key, variable);
        usedKeys.add(source.key);
      }
    }
    // Kubernetes expands $(VAR) in env values, command and args: a secret inside one becomes a reference.
    const expand = (parts: Array<{ text: string } | { key: string }>): string =>
      parts
        .map((part) => {
          if ('text' in part) return part.text.replace(/\$\(/g, '$$$$(');
          let envName = envNameOfKey.get(part.key);
          if (envName === undefined) {
            envName = part.key;
            envNameOfKey.set(part.key, envName);
            secretEnv.push({ name: envName, valueFrom: { secretKeyRef: { name: secretName, key: part.key } } });
            usedKeys.add(part.key);
          }
          return `$(${envName})`;
        })
        .join('');
    for (const [variable, source] of sources) if (source.kind === 'composed') composedEnv.push({ name: variable, value: expand(source.parts) });
    const words = (list: string[] | undefined): string[] | undefined => list?.map((word) => expand(secrets.split(word)));
    const command = words(service.entrypoint);
    const args = words(service.command);
    const configMapName = `${name}-env`;
    if (Object.keys(plain).length > 0) {
      configMaps.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName, labels: labelsFor(stack.name, service.name) }, data: plain });
      if (service.envFiles.length > 0) comments.set(`ConfigMap/${configMapName}`, [`${service.name}'s environment, env_file included (${service.envFiles.map((f) => pathFrom(stack, f)).join(', ')}); secret values are in the Secret ${secretName}`]);
    }

    // Volumes.
    const volumes: V1Volume[] = [];
    const mounts: V1VolumeMount[] = [];
    const claimTemplates: V1PersistentVolumeClaim[] = [];
    service.volumes.forEach((mount, index) => {
      if (mount.type === 'bind') {
        warn(service, `bind mount of ${mount.source ?? '?'} at ${mount.target} is left out: a cluster node has no such host path`, 'ship the files in the image, or use a ConfigMap or a named volume');
        return;
      }
      if (mount.type === 'tmpfs' || mount.source === undefined) {
        const volumeName = `scratch-${index}`;
        volumes.push({ name: volumeName, emptyDir: mount.type === 'tmpfs' ? { medium: 'Memory' } : {} });
        mounts.push({ name: volumeName, mountPath: mount.target, ...(mount.readOnly ? { readOnly: true } : {}) });
        return;
      }
      const claim = dnsLabel(mount.source);
      mounts.push({ name: claim, mountPath: mount.target, ...(mount.readOnly ? { readOnly: true } : {}) });
      if (externalClaims.has(claim) || sharedClaims.has(mount.source)) {
        if (!volumes.some((v) => v.name === claim)) volumes.push({ name: claim, persistentVolumeClaim: { claimName: claim } });
      } else if (!claimTemplates.some((t) => t.metadata?.name === claim)) {
        claimTemplates.push({ metadata: { name: claim, labels: labelsFor(stack.name, service.name) }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: options.storage ?? '1Gi' } } } });
      }
    });

    // Readiness: the authenticated check, in the container, credentials from the Secret volume.
    let readinessProbe: V1Probe | undefined;
    let startupProbe: V1Probe | undefined;
    if (service.readiness) {
      const action = probeAction(service.readiness.probe, credentialsFor(service, podKeys));
      if ('reason' in action) warn(service, `no readinessProbe: ${action.reason}`, 'use a tcp, http, postgres or redis probe, or an exec probe');
      else {
        readinessProbe = { ...action, periodSeconds: period, timeoutSeconds: 5, failureThreshold: 3 };
        // The probe's deadline is the boot allowance: a container not ready by then is restarted.
        startupProbe = { ...action, periodSeconds: period, timeoutSeconds: 5, failureThreshold: Math.max(1, Math.ceil(service.readiness.timeoutMs / (period * 1000))) };
      }
    }

    // One init container per depends_on edge: the dependency's check against its Service name.
    const initContainers: V1Container[] = [];
    for (const dependency of service.dependsOn) {
      const target = stack.services.find((s) => s.name === dependency.service);
      if (!target) continue;
      const init = initWait(service, dependency, target, ports.get(target.name) ?? [], credentialsFor(target, podKeys), imageOf(target), warn);
      if (init) initContainers.push(init);
    }

    for (const key of podKeys) usedKeys.add(key);
    const secretMount: V1VolumeMount[] = podKeys.size > 0 ? [{ name: SECRET_VOLUME, mountPath: SECRET_DIR, readOnly: true }] : [];
    if (podKeys.size > 0) volumes.push({ name: SECRET_VOLUME, secret: { secretName, items: [...podKeys].sort().map((key) => ({ key, path: key })) } });
    for (const init of initContainers) if (init.command?.some((word) => word.includes(SECRET_DIR))) init.volumeMounts = secretMount;

    const container: V1Container = {
      name,
      image: imageOf(service),
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ...(servicePorts.length > 0 ? { ports: servicePorts.map((p) => ({ name: portName(p.protocol, p.port), containerPort: p.port, protocol: p.protocol === 'udp' ? 'UDP' : 'TCP' })) } : {}),
      ...(Object.keys(plain).length > 0 ? { envFrom: [{ configMapRef: { name: configMapName } }] } : {}),
      ...(secretEnv.length + composedEnv.length > 0 ? { env: [...secretEnv, ...composedEnv] } : {}),
      ...(readinessProbe ? { readinessProbe, startupProbe } : {}),
      ...(mounts.length + secretMount.length > 0 ? { volumeMounts: [...mounts, ...(readinessProbe?.exec?.command?.some((w) => w.includes(SECRET_DIR)) ? secretMount : [])] } : {}),
    };
    if (container.volumeMounts?.length === 0) delete container.volumeMounts;
    const pod: V1PodSpec = {
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers: [container],
      ...(volumes.length > 0 ? { volumes } : {}),
    };
    const template = { metadata: { labels: { ...selectorFor(stack.name, service.name), 'app.kubernetes.io/managed-by': 'stackctl' } }, spec: pod };
    const selector = { matchLabels: selectorFor(stack.name, service.name) };
    const metadata = { name, labels: labelsFor(stack.name, service.name) };
    if (claimTemplates.length > 0) {
      workloads.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { serviceName: name, replicas: 1, selector, template, volumeClaimTemplates: claimTemplates } });
    } else {
      workloads.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 1, selector, template } });
    }
    // A Service for every service; headless (DNS straight to the ready pod) for a StatefulSet or without ports.
    const headless = claimTemplates.length > 0 || servicePorts.length === 0;
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        selector: selectorFor(stack.name, service.name),
        ...(headless ? { clusterIP: 'None' } : {}),
        ...(servicePorts.length > 0 ? { ports: servicePorts.map((p) => ({ name: portName(p.protocol, p.port), port: p.port, targetPort: portName(p.protocol, p.port), protocol: p.protocol === 'udp' ? 'UDP' : 'TCP' })) } : {}),
      },
    });
    if (service.ports.some((p) => p.published !== undefined)) {
      comments.set(`Service/${name}`, [`published on the host by stackctl (${service.ports.map((p) => `${p.published ?? 'any'}→${p.target}`).join(', ')}); on a cluster: kubectl port-forward service/${name} ${service.ports.map((p) => `${p.published ?? p.target}:${p.target}`).join(' ')}`]);
    }
  }

  for (const volume of sharedClaims) {
    const users = volumeUsers.get(volume) ?? [];
    claims.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: dnsLabel(volume), labels: labelsFor(stack.name) }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: options.storage ?? '1Gi' } } } });
    comments.set(`PersistentVolumeClaim/${dnsLabel(volume)}`, [`shared by ${users.join(', ')}: needs a storage class that offers ReadWriteMany`]);
  }
  for (const claim of externalClaims) {
    const user = stack.services.find((s) => s.volumes.some((m) => m.source !== undefined && dnsLabel(m.source) === claim));
    if (user) warn(user, `volume ${claim} is external: the export does not create it`, `create a PersistentVolumeClaim named ${claim} in the namespace before applying`);
  }

  const keys = [...usedKeys].sort();
  if (keys.length > 0) {
    const secret: K8sObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, labels: labelsFor(stack.name), annotations: { [SECRET_KEYS_ANNOTATION]: keys.join(',') } },
      type: 'Opaque',
    };
    if (options.includeSecretValues) {
      secret.data = Object.fromEntries(keys.map((key) => [key, Buffer.from(secrets.keys.get(key) ?? '', 'utf8').toString('base64')]));
      comments.set(`Secret/${secretName}`, ['holds secret values (written with --include-secret-values): keep this file out of version control']);
    } else {
      comments.set(`Secret/${secretName}`, [
        'no values are written (stackctl export k8s --include-secret-values writes them). Create the Secret before the pods start,',
        `from a file of KEY=value lines for ${keys.join(', ')} (e.g. your .env):`,
        `  kubectl create secret generic ${secretName} --from-env-file=<(grep -E '^(${keys.map(escapeGrep).join('|')})=' .env)`,
        'Applying this manifest afterwards keeps the values: it sets no data.',
      ]);
    }
    objects.push(secret);
  }

  objects.push(...configMaps, ...claims, ...services, ...workloads);
  return { objects, comments, externalClaims: [...externalClaims], warnings, secretName };
}

/** Container ports: the service's ports, its probe's port, and ports other services' URLs use to reach it. */
function containerPorts(stack: Stack, service: Service): Port[] {
  const out: Port[] = [];
  const add = (port: number, protocol: 'tcp' | 'udp' = 'tcp'): void => {
    if (!out.some((p) => p.port === port && p.protocol === protocol)) out.push({ port, protocol });
  };
  for (const port of service.ports) add(port.target, port.protocol);
  const probe = service.readiness?.probe;
  if (probe && 'port' in probe) add(probe.port);
  for (const other of stack.services) {
    for (const url of urlsInEnvironment(other)) if (url.host === service.name && url.port !== undefined) add(url.port);
  }
  return out;
}

type ProbeAction = Pick<V1Probe, 'exec' | 'tcpSocket' | 'httpGet'> | { reason: string };

function probeAction(probe: ProbeSpec, credentials: CheckCredentials): ProbeAction {
  if (probe.kind === 'tcp') return { tcpSocket: { port: portName('tcp', probe.port) } };
  if (probe.kind === 'http' && Object.keys(probe.headers).length === 0 && probe.body === undefined && probe.json === undefined && probe.method === 'GET' && probe.status.min >= 200 && probe.status.max <= 399) {
    return { httpGet: { path: probe.path, port: portName('tcp', probe.port) } };
  }
  const check = secretFileCheck(probe, '127.0.0.1', credentials);
  if (check.kind === 'none') return { reason: check.reason };
  return { exec: { command: check.argv } };
}

function initWait(
  service: Service,
  dependency: Dependency,
  target: Service,
  targetPorts: Port[],
  credentials: CheckCredentials,
  image: string,
  warn: (s: Service, m: string, h: string) => void,
): V1Container | undefined {
  const host = dnsLabel(target.name);
  const firstPort = targetPorts.find((p) => p.protocol === 'tcp')?.port;
  let check: string[] | undefined;
  let what = 'its authenticated readiness check';
  if (dependency.condition === 'completed') {
    warn(service, `${service.name} waits for ${target.name} to complete; a one-shot task is a Kubernetes Job and no init container waits for a Job`, `run ${target.name} as a Job before applying, or make it a long-running service`);
    return undefined;
  }
  if (dependency.condition === 'ready' && target.readiness) {
    const result = secretFileCheck(target.readiness.probe, host, credentials);
    if (result.kind === 'argv') check = result.argv;
    else warn(service, `the wait for ${target.name} cannot run its readiness check (${result.reason}); it waits for ${firstPort !== undefined ? `port ${firstPort}` : 'its ready pod in DNS'} instead`, `give ${target.name} a tcp, http, postgres or redis probe`);
  }
  if (!check && firstPort !== undefined) {
    check = tcpWait(host, firstPort);
    what = `port ${firstPort}`;
  }
  if (!check) {
    // The Service is headless (no ports): its name resolves only once a pod is ready.
    check = ['getent', 'hosts', host];
    what = 'its ready pod in DNS';
  }
  return {
    name: `wait-for-${host}`.slice(0, 63).replace(/-+$/, ''),
    image,
    command: waitLoop(host, check),
    // Documented on the object itself, for `kubectl describe`.
    env: [{ name: 'STACKCTL_WAITS_FOR', value: `${target.name} (${what})` }],
  };
}

/** The secret key a probe field was written with (`password: ${POSTGRES_PASSWORD}`), for when its value is unknown. */
function keyWrittenFor(stack: Stack, secrets: StackSecrets, owner: Service, field: readonly string[]): string | undefined {
  const reference = stack.variables.find((ref) => ref.service === owner.name && ref.path.includes('readiness') && field.every((part, i) => ref.path[ref.path.length - field.length + i] === part));
  return reference && secrets.keys.has(reference.name) ? reference.name : undefined;
}

function pathFrom(stack: Stack, file: string): string {
  return file.startsWith(`${stack.dir}/`) ? file.slice(stack.dir.length + 1) : file;
}

function escapeGrep(key: string): string {
  return key.replace(/\./g, '\\.');
}
