/**
 * Semantic checks of exported Kubernetes objects, the things a schema cannot see: selectors match the
 * pod labels, every Secret / ConfigMap / PersistentVolumeClaim a pod references exists (with the keys
 * it reads), volume mounts name a volume, probe ports are declared container ports, a Service's
 * target ports exist, each depends_on edge has its init wait, names are unique DNS labels, and no
 * secret value is written when values were not asked for. Pure: objects in, problems out.
 */
import type { V1Container, V1PodTemplateSpec, V1Probe } from '@kubernetes/client-node';
import type { Stack } from '../config/model.js';
import { SECRET_KEYS_ANNOTATION, type K8sExport } from './export-k8s.js';
import { dnsLabel, type K8sObject } from './objects.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Workload = Extract<K8sObject, { kind: 'Deployment' | 'StatefulSet' }>;

export function checkManifests(stack: Stack, exported: Pick<K8sExport, 'objects' | 'externalClaims'>, options: { secretValuesAllowed?: boolean } = {}): string[] {
  const problems: string[] = [];
  const objects = exported.objects;
  const byKind = <K extends K8sObject['kind']>(kind: K): Array<Extract<K8sObject, { kind: K }>> => objects.filter((o): o is Extract<K8sObject, { kind: K }> => o.kind === kind);
  const seen = new Set<string>();
  for (const object of objects) {
    const name = object.metadata?.name ?? '';
    const key = `${object.kind}/${name}`;
    if (seen.has(key)) problems.push(`${key}: defined twice`);
    seen.add(key);
    const nameOk = object.kind === 'ConfigMap' || object.kind === 'Secret' ? /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) && name.length <= 253 : DNS_LABEL.test(name) && name.length <= 63;
    if (!nameOk) problems.push(`${key}: not a valid name`);
  }
  const secrets = new Map(byKind('Secret').map((s) => [s.metadata?.name ?? '', new Set([...(s.metadata?.annotations?.[SECRET_KEYS_ANNOTATION]?.split(',') ?? []), ...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})])]));
  const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata?.name ?? '', new Set(Object.keys(c.data ?? {}))]));
  const claims = new Set([...byKind('PersistentVolumeClaim').map((c) => c.metadata?.name ?? ''), ...exported.externalClaims]);
  const workloads: Workload[] = [...byKind('Deployment'), ...byKind('StatefulSet')];
  const services = byKind('Service');

  for (const secret of byKind('Secret')) {
    if (!options.secretValuesAllowed && (secret.data !== undefined || secret.stringData !== undefined)) problems.push(`Secret/${secret.metadata?.name}: holds values though none were asked for`);
  }
  if (!options.secretValuesAllowed) {
    // Where values go (not names and images: a weak password such as "wordpress" is also an image's name).
    const text = JSON.stringify(objects.map(valuesOf));
    if (stack.secretValues.some((value) => value.length >= 4 && text.includes(value))) problems.push('a secret value is written into a manifest');
  }

  for (const workload of workloads) {
    const where = `${workload.kind}/${workload.metadata?.name}`;
    const template: V1PodTemplateSpec | undefined = workload.spec?.template;
    const podLabels = template?.metadata?.labels ?? {};
    const selector = workload.spec?.selector.matchLabels ?? {};
    if (Object.keys(selector).length === 0) problems.push(`${where}: empty selector`);
    for (const [k, v] of Object.entries(selector)) if (podLabels[k] !== v) problems.push(`${where}: selector ${k}=${v} does not match the pod labels`);
    const pod = template?.spec;
    if (!pod) {
      problems.push(`${where}: no pod template`);
      continue;
    }
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    const claimTemplates = new Set(workload.kind === 'StatefulSet' ? (workload.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '') : []);
    if (workload.kind === 'StatefulSet' && !services.some((s) => s.metadata?.name === workload.spec?.serviceName)) problems.push(`${where}: serviceName ${workload.spec?.serviceName} has no Service`);
    for (const volume of volumes.values()) {
      if (volume.secret) {
        const keys = secrets.get(volume.secret.secretName ?? '');
        if (!keys) problems.push(`${where}: volume ${volume.name} uses Secret ${volume.secret.secretName}, which is not exported`);
        for (const item of volume.secret.items ?? []) if (keys && !keys.has(item.key)) problems.push(`${where}: volume ${volume.name} reads key ${item.key}, which Secret ${volume.secret.secretName} does not have`);
      }
      if (volume.persistentVolumeClaim && !claims.has(volume.persistentVolumeClaim.claimName)) problems.push(`${where}: volume ${volume.name} uses PersistentVolumeClaim ${volume.persistentVolumeClaim.claimName}, which does not exist`);
    }
    const containers: V1Container[] = [...(pod.initContainers ?? []), ...pod.containers];
    const names = new Set<string>();
    for (const container of containers) {
      const at = `${where} container ${container.name}`;
      if (names.has(container.name)) problems.push(`${at}: name used twice`);
      names.add(container.name);
      if (!container.image) problems.push(`${at}: no image`);
      for (const mount of container.volumeMounts ?? []) if (!volumes.has(mount.name) && !claimTemplates.has(mount.name)) problems.push(`${at}: mounts ${mount.name}, which is not a volume of the pod`);
      for (const env of container.env ?? []) {
        const secretRef = env.valueFrom?.secretKeyRef;
        if (secretRef) {
          const keys = secrets.get(secretRef.name ?? '');
          if (!keys) problems.push(`${at}: env ${env.name} reads Secret ${secretRef.name}, which is not exported`);
          else if (!keys.has(secretRef.key)) problems.push(`${at}: env ${env.name} reads key ${secretRef.key}, which Secret ${secretRef.name} does not have`);
        }
        const mapRef = env.valueFrom?.configMapKeyRef;
        if (mapRef && !configMaps.get(mapRef.name ?? '')?.has(mapRef.key)) problems.push(`${at}: env ${env.name} reads ConfigMap ${mapRef.name} key ${mapRef.key}, which does not exist`);
      }
      for (const from of container.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name ?? '')) problems.push(`${at}: envFrom ConfigMap ${from.configMapRef.name}, which is not exported`);
        if (from.secretRef && !secrets.has(from.secretRef.name ?? '')) problems.push(`${at}: envFrom Secret ${from.secretRef.name}, which is not exported`);
      }
      // $(VAR) in env values must name a variable defined earlier in the list (or Kubernetes writes it as is).
      const defined = new Set<string>();
      for (const env of container.env ?? []) {
        for (const match of (env.value ?? '').matchAll(/(?<!\$)\$\(([^)]+)\)/g)) if (!defined.has(match[1]!)) problems.push(`${at}: env ${env.name} uses $(${match[1]}) before it is defined`);
        defined.add(env.name);
      }
      const declared = new Set((container.ports ?? []).flatMap((p) => [String(p.containerPort), p.name ?? '']));
      for (const [kind, probe] of [['readinessProbe', container.readinessProbe], ['startupProbe', container.startupProbe], ['livenessProbe', container.livenessProbe]] as const) {
        const port = probePortOf(probe);
        if (port !== undefined && !declared.has(String(port))) problems.push(`${at}: ${kind} port ${port} is not a declared container port`);
      }
    }
  }

  for (const service of services) {
    const where = `Service/${service.metadata?.name}`;
    const selector = service.spec?.selector ?? {};
    const selected = workloads.filter((w) => Object.entries(selector).every(([k, v]) => w.spec?.template.metadata?.labels?.[k] === v));
    if (Object.keys(selector).length === 0 || selected.length === 0) {
      problems.push(`${where}: its selector matches no pod`);
      continue;
    }
    for (const port of service.spec?.ports ?? []) {
      const target = String(port.targetPort ?? port.port);
      const found = selected.some((w) => w.spec?.template.spec?.containers.some((c) => (c.ports ?? []).some((p) => String(p.containerPort) === target || p.name === target)));
      if (!found) problems.push(`${where}: target port ${target} is not a container port of its pods`);
    }
  }

  // The stack's own facts: each service has its workload and Service, probe ports are declared, each edge waits.
  for (const service of stack.services) {
    const name = dnsLabel(service.name);
    const workload = workloads.find((w) => w.metadata?.name === name);
    if (!workload) {
      problems.push(`${service.name}: no Deployment or StatefulSet`);
      continue;
    }
    if (!services.some((s) => s.metadata?.name === name)) problems.push(`${service.name}: no Service`);
    const pod = workload.spec?.template.spec;
    const main = pod?.containers[0];
    const probe = service.readiness?.probe;
    if (probe && 'port' in probe && !(main?.ports ?? []).some((p) => p.containerPort === probe.port)) problems.push(`${service.name}: the probe's port ${probe.port} is not a declared container port`);
    if (service.readiness && probe?.kind !== 'log' && !main?.readinessProbe) problems.push(`${service.name}: no readinessProbe`);
    if (main?.livenessProbe) problems.push(`${service.name}: a livenessProbe the stack does not ask for`);
    for (const dependency of service.dependsOn) {
      if (dependency.condition === 'completed' || !stack.services.some((s) => s.name === dependency.service)) continue;
      const host = dnsLabel(dependency.service);
      const init = (pod?.initContainers ?? []).find((c) => c.name === `wait-for-${host}`.slice(0, 63));
      if (!init) {
        problems.push(`${service.name}: no init container waits for ${dependency.service}`);
        continue;
      }
      if (!(init.command ?? []).some((word) => new RegExp(`(^|[^a-z0-9-])${host}([^a-z0-9-]|$)`).test(word))) problems.push(`${service.name}: the wait for ${dependency.service} does not address its Service`);
      const dependencyImage = workloads.find((w) => w.metadata?.name === host)?.spec?.template.spec?.containers[0]?.image;
      if (init.image !== dependencyImage) problems.push(`${service.name}: the wait for ${dependency.service} runs ${init.image}, not an image of the stack (${dependencyImage})`);
    }
  }
  return problems;
}

function probePortOf(probe: V1Probe | undefined): string | number | undefined {
  return probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
}

/** The parts of an object that carry values: ConfigMap data, annotations, containers' env, command, args, probes. */
function valuesOf(object: K8sObject): unknown {
  if (object.kind === 'ConfigMap') return object.data;
  if (object.kind === 'Secret') return object.metadata?.annotations;
  if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') return object.metadata?.annotations;
  const pod = object.spec?.template.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => [c.env, c.command, c.args, c.readinessProbe, c.startupProbe, c.livenessProbe]);
}
