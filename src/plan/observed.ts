/**
 * Observed state: what of the stack exists in the engine, found by the stack's labels only
 * (LABELS.stack). Nothing unlabelled is ever part of it, so nothing unlabelled is ever touched.
 */
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { containerName } from './names.js';

export interface ObservedState {
  stack: string;
  containers: ContainerInfo[];
  /** Engine names of the stack's labelled networks. */
  networks: string[];
  /** Engine names of the stack's labelled volumes. */
  volumes: string[];
}

/**
 * Containers stackctl created for the stack: the stack label AND a config hash. The hash matters:
 * labels on an image are inherited by every container run from it, so a `docker run` of an image
 * stackctl built carries the stack and service labels too — but never a config hash, which only
 * createContainer sets. Such containers are not ours and are never touched.
 */
export function ownedContainers(containers: ContainerInfo[]): ContainerInfo[] {
  return containers.filter((container) => container.configHash !== '');
}

export async function observe(runtime: Runtime, stack: string): Promise<ObservedState> {
  const [containers, networks, volumes] = await Promise.all([
    runtime.listContainers(stack).then(ownedContainers),
    runtime.listNetworks(stack),
    runtime.listVolumes(stack),
  ]);
  return { stack, containers, networks, volumes };
}

export function emptyObservedState(stack: string): ObservedState {
  return { stack, containers: [], networks: [], volumes: [] };
}

/**
 * The container that stands for `service` among its containers: the canonically named one
 * (`<stack>-<service>`), else the newest (someone renamed it). Containers of other services are ignored.
 */
export function serviceContainer(stack: string, service: string, containers: readonly ContainerInfo[]): ContainerInfo | undefined {
  const mine = containers.filter((container) => container.service === service);
  return (
    mine.find((container) => container.name.replace(/^\//, '') === containerName(stack, service)) ??
    mine.sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))[0]
  );
}
