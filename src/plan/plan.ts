/**
 * A Plan: what `up` will do, service by service, each operation one runtime call with its cause.
 * Produced by the pure reconcile(); executed by src/engine; printed by formatPlan() (which is also
 * how its tests assert it).
 */
import type { ContainerSpec } from '../runtime/runtime.js';

export type ServiceAction =
  /** No container: create and start one. */
  | 'create'
  /** A container exists but is out of date (or a dependency was recreated): replace it. */
  | 'recreate'
  /** An up-to-date container exists but is not running: start it. */
  | 'start'
  /** An up-to-date container runs (or a job completed): adopt it as is. */
  | 'keep'
  /** Nothing can be done: the image is unavailable (its build or pull failed). */
  | 'skip';

export type Operation =
  | { kind: 'stop'; service: string; containerId: string; containerName: string; cause: string }
  | { kind: 'remove'; service: string; containerId: string; containerName: string; cause: string }
  | { kind: 'create'; service: string; spec: ContainerSpec; cause: string }
  /**
   * containerId is undefined when the container is created by a preceding operation of the plan.
   * `spec` (an existing container's): what to recreate it from when the engine cannot start it
   * because of its own stale state (engine crash or restart); volumes are kept.
   */
  | { kind: 'start'; service: string; containerName: string; containerId?: string; spec?: ContainerSpec; cause: string };

export interface ServicePlan {
  service: string;
  action: ServiceAction;
  cause: string;
  imageId?: string;
  /** Desired config hash (undefined for skip). */
  configHash?: string;
  /** The container adopted (keep) or started (start). */
  containerId?: string;
  operations: Operation[];
}

export interface ResourcePlan {
  name: string;
  action: 'create' | 'keep';
  cause: string;
}

export interface OrphanContainer {
  service: string;
  containerId: string;
  containerName: string;
  status: string;
}

export interface Plan {
  stack: string;
  networks: ResourcePlan[];
  volumes: ResourcePlan[];
  /** In dependency order (a service after everything it depends on). */
  services: ServicePlan[];
  /** Containers labelled with the stack whose service is no longer in the stack file: left alone. */
  orphans: OrphanContainer[];
}

export function isNoop(plan: Plan): boolean {
  return (
    plan.services.every((service) => service.action === 'keep') &&
    plan.networks.every((network) => network.action === 'keep') &&
    plan.volumes.every((volume) => volume.action === 'keep')
  );
}

function describeOperation(operation: Operation): string {
  switch (operation.kind) {
    case 'stop':
      return `stop ${operation.containerName} (${operation.cause})`;
    case 'remove':
      return `remove ${operation.containerName} (${operation.cause})`;
    case 'create':
      return `create ${operation.spec.name} from ${operation.spec.image} (${operation.cause})`;
    case 'start':
      return `start ${operation.containerName} (${operation.cause})`;
  }
}

export function planSummary(plan: Plan): string {
  const count = (action: ServiceAction): number => plan.services.filter((entry) => entry.action === action).length;
  if (isNoop(plan)) return `stack ${plan.stack}: up to date, nothing to do (${plan.services.length} unchanged)`;
  const parts = [
    `${count('create')} to create`,
    `${count('recreate')} to recreate`,
    `${count('start')} to start`,
    `${count('keep')} unchanged`,
  ];
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return `stack ${plan.stack}: ${parts.join(', ')}`;
}

/** The plan as text: one line per resource and service, its operations indented below it. */
export function formatPlan(plan: Plan): string {
  const lines = [planSummary(plan)];
  for (const network of plan.networks) lines.push(`network ${network.name}: ${network.action} (${network.cause})`);
  for (const volume of plan.volumes) lines.push(`volume ${volume.name}: ${volume.action} (${volume.cause})`);
  for (const entry of plan.services) {
    lines.push(`${entry.service}: ${entry.action} (${entry.cause})`);
    for (const operation of entry.operations) lines.push(`  ${describeOperation(operation)}`);
  }
  for (const orphan of plan.orphans) {
    lines.push(
      `orphan ${orphan.containerName}: left alone (service "${orphan.service}" is not in the stack file; \`stackctl down\` removes it)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
