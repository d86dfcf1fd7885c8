/**
 * reconcile(desired, observed, imageIds) → Plan. Pure: no I/O, no clock; the same inputs always give
 * the same plan (tests compare its text).
 *
 * Per service, in dependency order:
 *   image unavailable                      → skip
 *   no container                           → create  (create, start)
 *   config hash differs                    → recreate (stop if running, remove, create, start)
 *   a dependency is created or recreated   → recreate, cause names the dependency (with
 *                                            `dependents: 'reprobe'`, as `watch` asks: keep, and
 *                                            the engine re-probes it once the dependency is ready)
 *   dead or paused container               → recreate
 *   created / exited container             → start (a job that exited 0 and is awaited with
 *                                            `completed` is kept: it already did its work)
 *   running or restarting, hash unchanged  → keep (adopted as is)
 * Extra containers of one service (duplicates) are removed; containers of services no longer in the
 * file (orphans) are listed and left alone.
 */
import { awaitedJobs, type Service, type Stack } from '../config/model.js';
import { dependencyOrder, graphOfStack } from '../graph/graph.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { configHash, shortHash } from './config-hash.js';
import { containerSpec, stackNetworks, stackVolumes } from './container-spec.js';
import { serviceContainer, type ObservedState } from './observed.js';
import type { Operation, OrphanContainer, Plan, ResourcePlan, ServicePlan } from './plan.js';

export type ImageIds = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function lookupImageId(imageIds: ImageIds, service: string): string | undefined {
  if (imageIds instanceof Map) return imageIds.get(service);
  return (imageIds as Readonly<Record<string, string>>)[service];
}

/** Services in the graph's dependency order (graph/graph.ts states its tie rule). */
function servicesInOrder(stack: Stack): Service[] {
  const byName = new Map(stack.services.map((service) => [service.name, service]));
  return dependencyOrder(graphOfStack(stack)).map((name) => byName.get(name)!);
}

function isRunning(container: ContainerInfo): boolean {
  return container.status === 'running' || container.status === 'restarting' || container.status === 'paused';
}

function removal(container: ContainerInfo, service: string, cause: string): Operation[] {
  const name = container.name.replace(/^\//, '');
  const operations: Operation[] = [];
  if (isRunning(container)) {
    operations.push({ kind: 'stop', service, containerId: container.id, containerName: name, cause });
  }
  operations.push({ kind: 'remove', service, containerId: container.id, containerName: name, cause });
  return operations;
}

function resources(desired: string[], observed: string[]): ResourcePlan[] {
  const present = new Set(observed);
  return desired.map((name) =>
    present.has(name) ? { name, action: 'keep', cause: 'exists' } : { name, action: 'create', cause: 'not found' },
  );
}

export interface ReconcileOptions {
  /** What a running dependent of a replaced service gets: recreated (compose's rule, the default) or kept and re-probed. */
  dependents?: 'recreate' | 'reprobe';
}

export function reconcile(desired: Stack, observed: ObservedState, imageIds: ImageIds, options: ReconcileOptions = {}): Plan {
  const byService = new Map<string, ContainerInfo[]>();
  for (const container of observed.containers) {
    const list = byService.get(container.service) ?? [];
    list.push(container);
    byService.set(container.service, list);
  }
  const jobs = awaitedJobs(desired);
  const replaced = new Map<string, 'created' | 'recreated'>();
  const services: ServicePlan[] = [];

  for (const service of servicesInOrder(desired)) {
    const name = service.name;
    const imageId = lookupImageId(imageIds, name);
    const containers = byService.get(name) ?? [];
    const current = serviceContainer(desired.name, name, containers);
    const duplicates = containers
      .filter((container) => container !== current)
      .flatMap((container) => removal(container, name, 'duplicate container of the service'));

    if (imageId === undefined) {
      services.push({ service: name, action: 'skip', cause: 'image unavailable', operations: duplicates });
      continue;
    }
    const hash = configHash(desired, service, imageId);
    const spec = containerSpec(desired, service, hash);
    const fresh = (cause: string, old?: ContainerInfo): Operation[] => [
      ...duplicates,
      ...(old ? removal(old, name, 'replaced') : []),
      { kind: 'create', service: name, spec, cause },
      { kind: 'start', service: name, containerName: spec.name, cause: 'new container' },
    ];

    if (!current) {
      services.push({ service: name, action: 'create', cause: 'no container', imageId, configHash: hash, operations: fresh('no container') });
      replaced.set(name, 'created');
      continue;
    }

    let recreateCause: string | undefined;
    let keepCause = 'unchanged';
    if (current.configHash !== hash) {
      recreateCause = current.configHash
        ? `config hash changed ${shortHash(current.configHash)} → ${shortHash(hash)}`
        : 'container has no config hash label';
    } else {
      const dependency = service.dependsOn.find((dep) => replaced.has(dep.service));
      const reprobe = options.dependents === 'reprobe' && current.status === 'running';
      if (dependency && reprobe) keepCause = `re-probe: dependency ${dependency.service} ${replaced.get(dependency.service)}`;
      else if (dependency) recreateCause = `dependency ${dependency.service} ${replaced.get(dependency.service)}`;
      else if (current.status === 'dead' || current.status === 'removing') recreateCause = `container is ${current.status}`;
      else if (current.status === 'paused') recreateCause = 'container is paused';
    }
    if (recreateCause !== undefined) {
      services.push({
        service: name,
        action: 'recreate',
        cause: recreateCause,
        imageId,
        configHash: hash,
        operations: fresh(recreateCause, current),
      });
      replaced.set(name, 'recreated');
      continue;
    }

    const adopt = (action: 'keep' | 'start', cause: string, operations: Operation[]): void => {
      services.push({ service: name, action, cause, imageId, configHash: hash, containerId: current.id, operations });
    };
    const currentName = current.name.replace(/^\//, '');
    if (current.status === 'running') adopt('keep', keepCause, duplicates);
    else if (current.status === 'restarting') adopt('keep', 'unchanged, restarting', duplicates);
    else if (current.status === 'exited' && current.exitCode === 0 && jobs.has(name)) adopt('keep', 'completed (exit 0)', duplicates);
    else {
      const cause = current.status === 'created' ? 'created, never started' : `stopped (exit ${current.exitCode ?? '?'})`;
      adopt('start', cause, [
        ...duplicates,
        { kind: 'start', service: name, containerName: currentName, containerId: current.id, spec, cause },
      ]);
    }
  }

  const known = new Set(desired.services.map((service) => service.name));
  const orphans: OrphanContainer[] = observed.containers
    .filter((container) => !known.has(container.service))
    .map((container) => ({
      service: container.service,
      containerId: container.id,
      containerName: container.name.replace(/^\//, ''),
      status: container.status,
    }))
    .sort((a, b) => (a.containerName < b.containerName ? -1 : 1));

  return {
    stack: desired.name,
    networks: resources(stackNetworks(desired), observed.networks),
    volumes: resources(stackVolumes(desired), observed.volumes),
    services,
    orphans,
  };
}
