/**
 * `down`: the same traversal as `up`, in reverse — a service is stopped once everything that depends
 * on it has stopped. Only containers, networks and volumes carrying the stack's label are touched.
 */
import type { Stack } from '../config/model.js';
import { CancelledError, RuntimeError, errorMessage } from '../errors.js';
import { graphOfStack } from '../graph/graph.js';
import { traverse, type TraversalNode } from '../graph/traverse.js';
import { EPHEMERAL_LABELS } from '../plan/ephemeral-labels.js';
import { ownedContainers } from '../plan/observed.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { EngineEvent, EventListener } from './events.js';
import type { DownResult } from './results.js';

export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

export interface DownOptions {
  runtime: Runtime;
  /** Remove the stack's named volumes too (`down -v`). */
  removeVolumes?: boolean;
  /** Seconds a container gets to stop before it is killed (default 10). */
  stopTimeoutSeconds?: number;
  /** At most this many containers stopped at once (default unlimited). */
  parallel?: number;
  signal?: AbortSignal;
  onEvent?: EventListener;
  clock?: () => number;
}

export interface TeardownOptions extends Omit<DownOptions, 'removeVolumes'> {
  stackName: string;
}

/**
 * Stops and removes the given containers in reverse dependency order. Failures do not stop the
 * rest; they are collected and thrown together at the end. Returns the names removed, in order.
 */
export async function teardown(stack: Stack | undefined, containers: ContainerInfo[], options: TeardownOptions): Promise<string[]> {
  const { runtime } = options;
  const clock = options.clock ?? Date.now;
  const emit = (event: EngineEvent): void => options.onEvent?.(event);
  const timeout = options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS;
  const byService = new Map<string, ContainerInfo[]>();
  for (const container of containers) {
    const list = byService.get(container.service) ?? [];
    list.push(container);
    byService.set(container.service, list);
  }
  // Without the stack file only labels are known: no edges, every container stops at once.
  const graph = graphOfStack(stack ?? { services: [] });
  const fileOrder = graph.nodes;
  const order = [...byService.keys()].sort((a, b) => {
    const ia = fileOrder.indexOf(a);
    const ib = fileOrder.indexOf(b);
    return (ia < 0 ? -1 : ia) - (ib < 0 ? -1 : ib) || (a < b ? -1 : 1);
  });
  const nodes: Array<TraversalNode<'stopped'>> = order.map((service) => ({
    id: service,
    // Not required: a dependent that failed to stop must not keep its dependencies running.
    waitsFor: (graph.dependents.get(service) ?? [])
      .filter((dependent) => byService.has(dependent))
      .map((dependent) => ({ node: dependent, milestone: 'stopped' as const, required: false })),
  }));
  const removed: string[] = [];
  const errors: string[] = [];
  const outcomes = await traverse<'stopped'>({
    nodes,
    parallel: options.parallel,
    signal: options.signal,
    run: async (service, context) => {
      const list = byService.get(service) ?? [];
      emit({ type: 'service.phase', service, phase: 'stopping', at: clock() });
      const stopFailures: string[] = [];
      for (const container of list) {
        const name = container.name.replace(/^\//, '');
        try {
          if (container.status === 'running' || container.status === 'restarting' || container.status === 'paused') {
            await runtime.stopContainer(container.id, timeout);
          }
        } catch (error) {
          stopFailures.push(`stop ${name}: ${errorMessage(error)}`);
        }
      }
      errors.push(...stopFailures);
      // Said as it happened: a stop that failed is never shown as `stopped`.
      if (stopFailures.length === 0) emit({ type: 'service.phase', service, phase: 'stopped', at: clock() });
      else emit({ type: 'service.phase', service, phase: 'failed', at: clock(), detail: stopFailures.join('; ') });
      context.reach('stopped');
      const removeFailures: string[] = [];
      for (const container of list) {
        const name = container.name.replace(/^\//, '');
        try {
          await runtime.removeContainer(container.id);
          removed.push(name);
        } catch (error) {
          removeFailures.push(`remove ${name}: ${errorMessage(error)}`);
        }
      }
      errors.push(...removeFailures);
      if (removeFailures.length === 0) emit({ type: 'service.phase', service, phase: 'removed', at: clock() });
      else emit({ type: 'service.phase', service, phase: 'failed', at: clock(), detail: removeFailures.join('; ') });
    },
  });
  if ([...outcomes.values()].some((outcome) => outcome.state === 'cancelled')) {
    throw new CancelledError(`interrupted: ${removed.length} of ${containers.length} containers of ${options.stackName} removed`);
  }
  if (errors.length > 0) throw new TeardownError(options.stackName, removed, errors);
  return removed;
}

/** Teardown did not remove everything: what it did remove, and each failure with the engine's reason. */
export class TeardownError extends RuntimeError {
  constructor(
    stackName: string,
    readonly removed: string[],
    readonly failures: string[],
  ) {
    super(`could not remove everything of stack ${stackName}: ${failures.join('; ')}`, {
      hint: 'run `stackctl down` again; `stackctl ps` shows what is left',
    });
  }
}

/**
 * Stops and removes every container of the stack (orphans included), then its networks and, with
 * `removeVolumes`, its volumes. `stack` may be just a name when no stack file is at hand: the order is
 * then unknown and everything stops at once.
 */
export async function down(stack: Stack | string, options: DownOptions): Promise<DownResult> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const stackName = typeof stack === 'string' ? stack : stack.name;
  const definition = typeof stack === 'string' ? undefined : stack;
  await options.runtime.ping(options.signal);
  // An ephemeral copy's reaper goes first (it would race this down), and the copy's volumes go with
  // it: nothing else can use them (src/ephemeral/).
  // One listing serves both (each listed container costs an inspect: 200 of them for 200 services).
  const [labelled, networks, volumes] = await Promise.all([
    options.runtime.listContainers(stackName),
    options.runtime.listNetworks(stackName),
    options.runtime.listVolumes(stackName),
  ]);
  const ephemeral = labelled.some((container) => container.labels[EPHEMERAL_LABELS.ephemeral] === 'true');
  const isReaper = (container: ContainerInfo): boolean => container.labels[EPHEMERAL_LABELS.reaper] === 'true';
  for (const reaper of labelled.filter(isReaper)) {
    await options.runtime.removeContainer(reaper.id);
  }
  const observed = { containers: ownedContainers(labelled.filter((container) => !isReaper(container))), networks, volumes };
  const removeVolumes = options.removeVolumes === true || ephemeral;
  const containers = await teardown(definition, observed.containers, { ...options, stackName });
  const errors: string[] = [];
  const removedNetworks: string[] = [];
  for (const network of observed.networks) {
    try {
      await options.runtime.removeNetwork(stackName, network);
      removedNetworks.push(network);
    } catch (error) {
      errors.push(`network ${network}: ${errorMessage(error)}`);
    }
  }
  const removedVolumes: string[] = [];
  if (removeVolumes) {
    for (const volume of observed.volumes) {
      try {
        await options.runtime.removeVolume(stackName, volume);
        removedVolumes.push(volume);
      } catch (error) {
        errors.push(`volume ${volume}: ${errorMessage(error)}`);
      }
    }
  }
  if (errors.length > 0) {
    throw new RuntimeError(`could not remove everything of stack ${stackName}: ${errors.join('; ')}`, {
      hint: 'a container outside the stack may still use it; `docker network inspect` / `docker volume inspect` shows who',
    });
  }
  return { stack: stackName, containers, networks: removedNetworks, volumes: removedVolumes, durationMs: clock() - started };
}
