/**
 * One service's turn in `up`, once its dependencies met their conditions: its plan's operations
 * (stop, remove, create, start — a container the engine cannot start on stale state is recreated),
 * then `completed` (a job exits 0), `ready` (its probe passes) or `started` (no probe). A failure is
 * diagnosed, recorded in its result and thrown as a ServiceFailure; Ctrl-C as a CancelledError.
 */
import { CancelledError, InternalError, ProbeTimeoutError, errorMessage } from '../errors.js';
import { HopelessProbeError } from '../probes/probe.js';
import { StaleContainerError } from '../runtime/errors.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { diagnoseSafely } from './failure-diagnosis.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS } from './down.js';
import { ContainerExitedError, ServiceFailure, StartTimeoutError, type FailureContext, type FailurePhase, type ProbeRecord } from './failure.js';
import { settleLateImage } from './late-images.js';
import { awaitReady, probeTarget } from './readiness.js';
import { abortReason, anySignal, deadline } from './signals.js';
import type { Milestone, UpRun } from './up-context.js';
import type { PreparedUp } from './up-prepare.js';

/** How many times a container may die while a restart policy brings it back before up gives up. */
const CRASH_LOOP_DEATHS = 3;

/** Where the service stands in the traversal. */
export interface ServiceTurn {
  /** When the traversal began (clock()). */
  traversalStart: number;
  /** How many services this run (re)starts that it waits for (0: an early probe answer still holds). */
  waitsFor: number;
  /** Is it a job some dependent awaits with `condition: completed`? */
  isJob: boolean;
}

export async function runService(
  run: UpRun,
  prepared: PreparedUp,
  turn: ServiceTurn,
  name: string,
  reach: (milestone: Milestone) => void,
  nodeSignal: AbortSignal,
): Promise<void> {
  const { runtime, options, deps, clock, emit, phase, undo } = run;
  const { watch } = prepared;
  const service = run.services.get(name);
  const entry = prepared.plan.services.find((candidate) => candidate.service === name);
  const result = run.results.get(name)!;
  if (!service || !entry) throw new InternalError(`service ${name} is missing from the plan`);
  const depsMet = clock();
  result.timings.depsMetAt = depsMet - run.t0;
  result.timings.waitMs = depsMet - turn.traversalStart;

  const startLimit = deadline(service.startTimeoutMs, () => new StartTimeoutError(`not ready within its start_timeout of ${Math.round(service.startTimeoutMs / 1000)}s`));
  const signal = anySignal([nodeSignal, startLimit.signal]);
  let current: FailurePhase = 'create';
  let containerId = entry.containerId;
  const probe: ProbeRecord = { attempts: 0 };
  const fail = (error: unknown, at: FailurePhase = current): ServiceFailure => {
    const context: FailureContext = { service: name, phase: at, error, probe: probe.attempts > 0 ? probe : undefined, containerId };
    if (error instanceof ContainerExitedError) context.exitCode = error.status;
    return new ServiceFailure(`${name}: ${errorMessage(error)}`, context, { cause: error });
  };
  const step = async <T>(what: FailurePhase, action: () => Promise<T>): Promise<T> => {
    current = what;
    if (signal.signal.aborted) throw abortReason(signal.signal);
    return action();
  };

  try {
    const imageFailure = prepared.images.failures.get(name);
    if (imageFailure) throw imageFailure;
    const late = prepared.images.pending.get(name);
    // Ctrl-C while its image builds: cancelled, like a service that never started — not a build failure.
    if (late) settleLateImage(run.stack, service, entry, await late.catch((error: unknown) => Promise.reject(nodeSignal.aborted ? abortReason(nodeSignal) : error)));
    if (entry.action === 'keep') phase(name, 'unchanged', entry.cause);
    for (const operation of entry.operations) {
      switch (operation.kind) {
        case 'stop':
          phase(name, 'stopping', `${operation.containerName} (${operation.cause})`);
          await step('create', () => runtime.stopContainer(operation.containerId, options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS));
          break;
        case 'remove': {
          const began = clock();
          await step('create', () => runtime.removeContainer(operation.containerId));
          result.timings.removeMs = (result.timings.removeMs ?? 0) + clock() - began;
          break;
        }
        case 'create': {
          phase(name, 'creating', operation.cause);
          const began = clock();
          const early = prepared.precreated.get(name);
          containerId = await step('create', () => early ?? runtime.createContainer(operation.spec));
          result.timings.createMs = clock() - began;
          if (!early) undo.createdContainers.push({ id: containerId, name: operation.spec.name, service: name, status: 'created' } as ContainerInfo);
          break;
        }
        case 'start': {
          const id = operation.containerId ?? containerId;
          if (!id) throw new InternalError(`no container to start for ${name}`);
          containerId = id;
          phase(name, 'starting', operation.cause);
          const began = clock();
          watch.reset(id);
          try {
            await step('start', () => runtime.startContainer(id));
          } catch (error) {
            // Leftovers of an engine crash or restart: starting it again cannot work, a new container can.
            if (!(error instanceof StaleContainerError) || !operation.spec || !operation.containerId) throw error;
            const spec = operation.spec;
            phase(name, 'creating', `recreating ${operation.containerName}, volumes kept: ${error.engineError}`);
            emit({ type: 'service.repaired', service: name, at: clock(), containerName: operation.containerName, engineError: error.engineError });
            await step('create', () => runtime.discardStaleContainer(id));
            containerId = await step('create', () => runtime.createContainer(spec));
            undo.createdContainers.push({ id: containerId, name: spec.name, service: name, status: 'created' } as ContainerInfo);
            const fresh = containerId;
            result.action = 'recreate';
            result.cause = `stale engine state: ${error.engineError}`;
            phase(name, 'starting', 'recreated container');
            watch.reset(fresh);
            await step('start', () => runtime.startContainer(fresh));
          }
          result.timings.startMs = clock() - began;
          result.timings.startedAt = clock() - run.t0;
          if (!undo.createdContainers.some((container) => container.id === containerId)) {
            undo.startedContainers.push({ id, name: operation.containerName, service: name, status: 'running' } as ContainerInfo);
          }
          break;
        }
      }
    }
    if (!containerId) throw new InternalError(`service ${name} has no container after its plan`);
    result.containerId = containerId;
    const info = await runtime.inspectContainer(containerId);
    if (!info) throw fail(new Error('the container vanished right after it was started'), 'start');
    result.ports = info.ports.map((port) => ({ ...port }));
    const startedAt = clock();
    reach('started');

    if (turn.isJob) {
      current = 'exit';
      let exitCode = info.status === 'exited' ? info.exitCode : undefined;
      if (exitCode === undefined) {
        phase(name, 'started', 'waiting for it to complete');
        exitCode = (await watch.waitForExit(containerId, signal.signal)).exitCode;
      }
      if (exitCode !== 0) throw fail(new ContainerExitedError(name, exitCode ?? -1, 1, info.oomKilled), 'exit');
      result.timings.readyMs = clock() - startedAt;
      result.timings.readyAt = clock() - run.t0;
      result.state = 'completed';
      phase(name, 'completed', `exit 0 after ${result.timings.readyMs} ms`);
      reach('ready');
      reach('completed');
      return;
    }

    if (service.readiness) {
      current = 'probe';
      const probeImpl = deps.probeFactory(service.readiness.probe);
      const target = probeTarget(runtime, name, info);
      probe.description = probeImpl.describe(target);
      phase(name, 'probing', probe.description);
      const deathsAllowed = service.restart.name === 'no' ? 1 : CRASH_LOOP_DEATHS;
      // Only when nothing it depends on is (re)started by this run: the early answer predates that.
      const independent = (turn.waitsFor) === 0;
      const early = entry.action === 'keep' && independent ? prepared.preProbes.get(name) : undefined;
      if (early && early.containerId === containerId && (await early.passed)) {
        probe.attempts = 1;
        emit({ type: 'service.probe', service: name, at: clock(), attempt: 1, ok: true });
      } else await awaitReady(
        {
          probe: probeImpl,
          target,
          timeoutMs: service.readiness.timeoutMs,
          signal: signal.signal,
          watch: watch!,
          deathsAllowed,
          waitReady: deps.waitReady,
          isFatal: deps.isFatal,
          clock,
          onAttempt: (attempt, error) =>
            emit(
              error === undefined
                ? { type: 'service.probe', service: name, at: clock(), attempt, ok: true }
                : { type: 'service.probe', service: name, at: clock(), attempt, ok: false, error },
            ),
        },
        probe,
      );
      result.attempts = probe.attempts;
      result.timings.readyMs = clock() - startedAt;
      result.timings.readyAt = clock() - run.t0;
      result.state = 'ready';
      phase(name, 'ready', `${result.timings.readyMs} ms, ${probe.attempts} probe attempt${probe.attempts === 1 ? '' : 's'}`);
      // Before `reach`: no dependent has touched the data yet.
      if (options.seeder) await options.seeder.ready(name, containerId, signal.signal);
    } else {
      result.timings.readyAt = clock() - run.t0;
      result.timings.readyMs = 0;
      result.state = 'started';
      phase(name, 'started', 'running (no readiness probe)');
    }
    reach('ready');
  } catch (error) {
    result.attempts = probe.attempts;
    if (containerId) result.containerId = containerId;
    // Ctrl-C: a cancellation, not a failure of the service.
    if (nodeSignal.aborted && !run.timedOut() && !(error instanceof ServiceFailure)) {
      throw new CancelledError(`${name}: interrupted`, { cause: error });
    }
    let failure: ServiceFailure;
    if (error instanceof ServiceFailure) failure = error;
    else if (startLimit.signal.aborted || (run.timedOut() && nodeSignal.aborted)) {
      const reason = abortReason(startLimit.signal.aborted ? startLimit.signal : nodeSignal);
      const timeout =
        current === 'probe'
          ? new ProbeTimeoutError(`${reason.message} (${probe.attempts} probe attempts)`, probe.attempts, probe.lastError, { service: name })
          : reason;
      failure = fail(timeout, 'timeout');
    } else if (error instanceof ContainerExitedError) failure = fail(error, 'exit');
    else if (error instanceof ProbeTimeoutError || error instanceof HopelessProbeError) failure = fail(error, 'probe');
    else failure = fail(error);
    if (failure.context.probe === undefined && probe.attempts > 0) failure.context.probe = probe;
    if (failure.context.containerId === undefined && containerId) failure.context.containerId = containerId;
    const diagnosis = await diagnoseSafely(deps.diagnose, failure.context, runtime);
    run.diagnoses.set(name, diagnosis);
    result.state = 'failed';
    result.diagnosis = diagnosis;
    emit({ type: 'service.failed', service: name, at: clock(), diagnosis });
    phase(name, 'failed', diagnosis.rootCause.summary);
    throw failure;
  } finally {
    signal.clear();
    startLimit.clear();
  }
}
