/**
 * `up --rollback`: undoes what this run did (stops what it started, removes what it created) and
 * nothing else. What could not be undone is reported with its reason, never as done.
 */
import type { Stack } from '../config/model.js';
import { errorMessage } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS, TeardownError, teardown } from './down.js';
import type { EventListener } from './events.js';
import type { UndoLog } from './up-context.js';

export interface RollbackOptions {
  runtime: Runtime;
  stopTimeoutSeconds?: number;
  onEvent?: EventListener;
  clock: () => number;
}

export interface RollbackResult {
  /** What was undone: `stopped <container>`, `container <name>`, `network <name>`, `volume <name>`. */
  removed: string[];
  /** What could not be undone, each with the engine's reason. */
  failures: string[];
}

export async function rollback(stack: Stack, undo: UndoLog, options: RollbackOptions): Promise<RollbackResult> {
  const { runtime } = options;
  const removed: string[] = [];
  const failures: string[] = [];
  const stopOnly = undo.startedContainers.filter((container) => !undo.createdContainers.some((created) => created.id === container.id));
  for (const container of stopOnly) {
    await runtime.stopContainer(container.id, options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS).then(
      () => removed.push(`stopped ${container.name}`),
      (error: unknown) => failures.push(`stop ${container.name}: ${errorMessage(error)}`),
    );
  }
  const live = (await runtime.listContainers(stack.name)).filter((info) => undo.createdContainers.some((created) => created.id === info.id));
  const names = await teardown(stack, live, {
    runtime,
    stackName: stack.name,
    stopTimeoutSeconds: options.stopTimeoutSeconds,
    onEvent: options.onEvent,
    clock: options.clock,
  }).catch((error: unknown) => {
    // What teardown did remove is still reported as removed; each failure on its own.
    if (error instanceof TeardownError) {
      failures.push(...error.failures);
      return error.removed;
    }
    failures.push(`remove containers: ${errorMessage(error)}`);
    return [] as string[];
  });
  removed.push(...names.map((name) => `container ${name}`));
  for (const network of undo.createdNetworks) {
    await runtime.removeNetwork(stack.name, network).then(
      () => removed.push(`network ${network}`),
      (error: unknown) => failures.push(`remove network ${network}: ${errorMessage(error)}`),
    );
  }
  for (const volume of undo.createdVolumes) {
    await runtime.removeVolume(stack.name, volume).then(
      () => removed.push(`volume ${volume}`),
      (error: unknown) => failures.push(`remove volume ${volume}: ${errorMessage(error)}`),
    );
  }
  return { removed, failures };
}
