/**
 * `up`: prepare images → observe → reconcile (pure) → execute the plan with the DAG scheduler.
 *
 * Each service starts the moment every dependency meets its condition (`started`: its container was
 * started; `ready`: its probe passed — or it runs, without a probe; `completed`: it exited 0), under
 * an optional cap on how many services are in progress at once. A failed service (build error,
 * exit, probe deadline, start_timeout) gets a Diagnosis; whatever required it becomes `blocked` with
 * the root failing service named; independent branches go on. The engine reports through typed
 * EngineEvents and never prints.
 */
import type { Service, Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/diagnosis.js';
import { CancelledError, InternalError, ProbeTimeoutError, errorMessage } from '../errors.js';
import { HopelessProbeError } from '../probes/probe.js';
import { stackNetworks, stackVolumes } from '../plan/container-spec.js';
import { containerName } from '../plan/names.js';
import { observe } from '../plan/observed.js';
import { isNoop, type Plan } from '../plan/plan.js';
import { reconcile } from '../plan/reconcile.js';
import { StaleContainerError } from '../runtime/errors.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { ContainerWatch } from './container-watch.js';
import { blockedDiagnosis, diagnoseSafely, type DiagnoseFn } from './diagnosis.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS, teardown } from './down.js';
import type { EngineEvent, EventListener, ServicePhase } from './events.js';
import { ContainerExitedError, ServiceFailure, StartTimeoutError, type FailureContext, type FailurePhase, type ProbeRecord } from './failure.js';
import { limiter, prepareImages, type ContextHashFn } from './images.js';
import { awaitReady, probeTarget, type ProbeFactory, type WaitReadyFn } from './readiness.js';
import { isSuccessfulState, type ServiceResult, type UpResult } from './results.js';
import { traverse, type TraversalNode } from './scheduler.js';
import { abortReason, anySignal, deadline } from './signals.js';

export type Milestone = 'started' | 'ready' | 'completed';

/** The pieces `up` is built from; src/engine/index.ts fills them with the real implementations. */
export interface UpDependencies {
  probeFactory: ProbeFactory;
  waitReady: WaitReadyFn;
  diagnose: DiagnoseFn;
  contextHash: ContextHashFn;
  /** A probe error that waiting cannot fix (see readiness.ts); default: none is. */
  isFatal?: (error: string) => boolean;
}

export interface UpOptions {
  runtime: Runtime;
  /** Abort = Ctrl-C: stop scheduling, cancel builds, pulls and probes, leave a consistent state. */
  signal?: AbortSignal;
  /** At most this many services in progress (building excluded) at once; default unlimited. */
  parallel?: number;
  /** false = --no-build: never build; a missing built image is a failure. Default true. A set: build only those services. */
  build?: boolean | ReadonlySet<string>;
  /** Deadline for the whole run (ms); services not ready by then fail with a timeout. */
  timeoutMs?: number;
  /** On failure, stop and remove what this run created or started (default: leave it for debugging). */
  rollback?: boolean;
  /** Seconds a replaced or rolled-back container gets to stop (default 10). */
  stopTimeoutSeconds?: number;
  /** Running dependents of a replaced service: recreated (default, as compose) or kept and re-probed (watch). */
  dependents?: 'recreate' | 'reprobe';
  onEvent?: EventListener;
  /** Called once with the plan, before it is executed. */
  onPlan?: (plan: Plan) => void;
  clock?: () => number;
}

/** One early probe attempt of a running container (see preProbes) gets at most this long. */
const PRE_PROBE_TIMEOUT_MS = 2000;

/** How many times a container may die while a restart policy brings it back before up gives up. */
const CRASH_LOOP_DEATHS = 3;

function closure(stack: Stack): Map<string, Service> {
  return new Map(stack.services.map((service) => [service.name, service]));
}

/** Services some dependent waits on with `condition: completed`. */
function jobsOf(stack: Stack): Set<string> {
  return new Set(stack.services.flatMap((service) => service.dependsOn.filter((dep) => dep.condition === 'completed').map((dep) => dep.service)));
}

export async function runUp(stack: Stack, options: UpOptions, deps: UpDependencies): Promise<UpResult> {
  const { runtime } = options;
  const clock = options.clock ?? Date.now;
  const t0 = clock();
  const emit = (event: EngineEvent): void => options.onEvent?.(event);
  const phase = (service: string, phase: ServicePhase, detail?: string): void =>
    emit(detail === undefined ? { type: 'service.phase', service, phase, at: clock() } : { type: 'service.phase', service, phase, at: clock(), detail });

  // One signal for the run: Ctrl-C or the overall --timeout.
  let timedOut = false;
  const overall = deadline(options.timeoutMs ?? Number.POSITIVE_INFINITY, () => {
    timedOut = true;
    return new StartTimeoutError(`not ready within up's --timeout of ${Math.round((options.timeoutMs ?? 0) / 1000)}s`);
  });
  const run = anySignal([options.signal, overall.signal]);
  const services = closure(stack);
  const jobs = jobsOf(stack);
  const results = new Map<string, ServiceResult>();
  for (const service of stack.services) {
    results.set(service.name, {
      service: service.name,
      state: 'cancelled',
      action: 'keep',
      cause: '',
      containerName: containerName(stack.name, service.name),
      timings: {},
      attempts: 0,
      ports: [],
    });
    phase(service.name, 'waiting');
  }
  const diagnoses = new Map<string, Diagnosis>();
  const createdContainers: ContainerInfo[] = [];
  const startedContainers: ContainerInfo[] = [];
  const createdNetworks: string[] = [];
  const createdVolumes: string[] = [];
  let watch: ContainerWatch | undefined;

  try {
    // ping, the image checks and the label lookup go out together; ping is awaited first so an
    // engine that does not answer is one clear error (EngineUnavailableError), not ten.
    const pinged = runtime.ping(run.signal);
    pinged.catch(() => undefined);
    const imagesReady = prepareImages(stack, stack.services, {
      runtime,
      build: options.build ?? true,
      contextHash: deps.contextHash,
      signal: run.signal,
      concurrency: Math.min(options.parallel ?? 4, 4),
      clock,
      onPhase: (service, p, detail) => phase(service, p, detail),
      onProgress: (service, line) => emit({ type: 'service.progress', service, at: clock(), line }),
      onDone: (service, _imageId, durationMs, detail) => {
        results.get(service)!.timings.buildMs = durationMs;
        if (detail === 'built' || detail === 'pulled') phase(service, 'waiting', `image ${detail} in ${durationMs} ms`);
      },
    });
    imagesReady.catch(() => undefined);
    const observing = observe(runtime, stack.name);
    observing.catch(() => undefined);
    await pinged;
    watch = new ContainerWatch(runtime, stack.name);
    const observed = await observing;
    // Running containers are probed once right away, while the images are checked: when the plan
    // keeps a container (the usual case of a repeated up), its readiness is then already known.
    const preProbes = new Map<string, { containerId: string; passed: Promise<boolean> }>();
    for (const container of observed.containers) {
      const service = services.get(container.service);
      if (!service?.readiness || container.status !== 'running' || container.name.replace(/^\//, '') !== containerName(stack.name, service.name)) continue;
      const limit = deadline(PRE_PROBE_TIMEOUT_MS, () => new Error('pre-probe timed out'));
      const signal = anySignal([run.signal, limit.signal]);
      const passed = Promise.resolve()
        .then(() => deps.probeFactory(service.readiness!.probe).check(probeTarget(runtime, service.name, container), signal.signal))
        .then(
          () => true,
          () => false,
        )
        .finally(() => {
          limit.clear();
          signal.clear();
        });
      preProbes.set(service.name, { containerId: container.id, passed });
    }
    // The network and volumes do not depend on any image: create the missing ones while the images
    // are prepared (the plan below lists them as `create (not found)`, which is what happened).
    const missingNetworks = stackNetworks(stack).filter((name) => !observed.networks.includes(name));
    const missingVolumes = stackVolumes(stack).filter((name) => !observed.volumes.includes(name));
    const [images] = await Promise.all([
      imagesReady,
      ...missingNetworks.map(async (name) => {
        await runtime.ensureNetwork(stack.name, name, stack.labels);
        createdNetworks.push(name);
      }),
      ...missingVolumes.map(async (name) => {
        await runtime.ensureVolume(stack.name, name, stack.labels);
        createdVolumes.push(name);
      }),
    ]);
    // Interrupted while preparing: the plan is still made (it is pure) and the traversal below
    // cancels every service at once, so the result says what state everything is in.
    const plan = reconcile(stack, observed, images.imageIds, { dependents: options.dependents ?? 'recreate' });
    options.onPlan?.(plan);
    // Containers of new services are created at once (as compose does), so only `start` waits for
    // the dependencies; a service that ends blocked keeps a created, never-started container, which
    // the next up starts and down removes. Replaced containers are not touched before their turn.
    const precreated = new Map<string, Promise<string>>();
    const createLimit = limiter(4);
    if (!run.signal.aborted) {
      for (const entry of plan.services) {
        const create = entry.action === 'create' ? entry.operations.find((operation) => operation.kind === 'create') : undefined;
        if (!create || create.kind !== 'create') continue;
        const made = createLimit(() => runtime.createContainer(create.spec));
        made.then(
          (id) => createdContainers.push({ id, name: create.spec.name, service: entry.service, status: 'created' } as ContainerInfo),
          () => undefined,
        );
        precreated.set(entry.service, made);
      }
    }
    for (const entry of plan.services) {
      const result = results.get(entry.service)!;
      result.action = entry.action;
      result.cause = entry.cause;
    }

    const traversalStart = clock();
    // A kept container is already running: nothing about it waits for its dependencies, so it is
    // re-probed at once — except on a dependency this run (re)starts, whose failure must show as
    // `blocked by` rather than as this service's probe timing out. (Kept services depend on a
    // recreated one only with `dependents: 'reprobe'`: they are re-probed once it is ready.)
    const actionOf = new Map(plan.services.map((entry) => [entry.service, entry.action]));
    const nodes: Array<TraversalNode<Milestone>> = plan.services.map((entry) => ({
      id: entry.service,
      waitsFor: (services.get(entry.service)?.dependsOn ?? [])
        .filter((dep) => entry.action !== 'keep' || (actionOf.get(dep.service) ?? 'keep') !== 'keep')
        .map((dep) => ({ node: dep.service, milestone: dep.condition, required: dep.required })),
    }));

    const runService = async (name: string, reach: (milestone: Milestone) => void, nodeSignal: AbortSignal): Promise<void> => {
      const service = services.get(name);
      const entry = plan.services.find((candidate) => candidate.service === name);
      const result = results.get(name)!;
      if (!service || !entry) throw new InternalError(`service ${name} is missing from the plan`);
      const depsMet = clock();
      result.timings.depsMetAt = depsMet - t0;
      result.timings.waitMs = depsMet - traversalStart;

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
        const imageFailure = images.failures.get(name);
        if (imageFailure) throw imageFailure;
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
              const early = precreated.get(name);
              containerId = await step('create', () => early ?? runtime.createContainer(operation.spec));
              result.timings.createMs = clock() - began;
              if (!early) createdContainers.push({ id: containerId, name: operation.spec.name, service: name, status: 'created' } as ContainerInfo);
              break;
            }
            case 'start': {
              const id = operation.containerId ?? containerId;
              if (!id) throw new InternalError(`no container to start for ${name}`);
              containerId = id;
              phase(name, 'starting', operation.cause);
              const began = clock();
              watch!.reset(id);
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
                createdContainers.push({ id: containerId, name: spec.name, service: name, status: 'created' } as ContainerInfo);
                const fresh = containerId;
                result.action = 'recreate';
                result.cause = `stale engine state: ${error.engineError}`;
                phase(name, 'starting', 'recreated container');
                watch!.reset(fresh);
                await step('start', () => runtime.startContainer(fresh));
              }
              result.timings.startMs = clock() - began;
              result.timings.startedAt = clock() - t0;
              if (!createdContainers.some((container) => container.id === containerId)) {
                startedContainers.push({ id, name: operation.containerName, service: name, status: 'running' } as ContainerInfo);
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

        if (jobs.has(name)) {
          current = 'exit';
          let exitCode = info.status === 'exited' ? info.exitCode : undefined;
          if (exitCode === undefined) {
            phase(name, 'started', 'waiting for it to complete');
            exitCode = (await watch!.waitForExit(containerId, signal.signal)).exitCode;
          }
          if (exitCode !== 0) throw fail(new ContainerExitedError(name, exitCode ?? -1, 1, info.oomKilled), 'exit');
          result.timings.readyMs = clock() - startedAt;
          result.timings.readyAt = clock() - t0;
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
          const independent = (nodes.find((node) => node.id === name)?.waitsFor.length ?? 0) === 0;
          const early = entry.action === 'keep' && independent ? preProbes.get(name) : undefined;
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
          result.timings.readyAt = clock() - t0;
          result.state = 'ready';
          phase(name, 'ready', `${result.timings.readyMs} ms, ${probe.attempts} probe attempt${probe.attempts === 1 ? '' : 's'}`);
        } else {
          result.timings.readyAt = clock() - t0;
          result.timings.readyMs = 0;
          result.state = 'started';
          phase(name, 'started', 'running (no readiness probe)');
        }
        reach('ready');
      } catch (error) {
        result.attempts = probe.attempts;
        if (containerId) result.containerId = containerId;
        // Ctrl-C: a cancellation, not a failure of the service.
        if (nodeSignal.aborted && !timedOut && !(error instanceof ServiceFailure)) {
          throw new CancelledError(`${name}: interrupted`, { cause: error });
        }
        let failure: ServiceFailure;
        if (error instanceof ServiceFailure) failure = error;
        else if (startLimit.signal.aborted || (timedOut && nodeSignal.aborted)) {
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
        diagnoses.set(name, diagnosis);
        result.state = 'failed';
        result.diagnosis = diagnosis;
        emit({ type: 'service.failed', service: name, at: clock(), diagnosis });
        phase(name, 'failed', diagnosis.rootCause.summary);
        throw failure;
      } finally {
        signal.clear();
        startLimit.clear();
      }
    };

    const outcomes = await traverse<Milestone>({
      nodes,
      parallel: options.parallel,
      signal: run.signal,
      isFailure: (error) => error instanceof ServiceFailure,
      run: (name, context) => runService(name, (milestone) => context.reach(milestone), context.signal),
      onState: (name, state, outcome) => {
        const result = results.get(name)!;
        if (state === 'blocked' && outcome?.blockedBy) {
          result.state = 'blocked';
          result.blockedBy = outcome.blockedBy;
          result.diagnosis = blockedDiagnosis(name, outcome.blockedBy, diagnoses.get(outcome.blockedBy));
          emit({ type: 'service.blocked', service: name, at: clock(), blockedBy: outcome.blockedBy });
          phase(name, 'blocked', `blocked by ${outcome.blockedBy}`);
        } else if (state === 'cancelled') {
          result.state = 'cancelled';
          phase(name, 'cancelled', timedOut ? 'up --timeout expired before it could start' : 'interrupted');
        }
      },
    });
    // Every early creation has settled before results are read (and before a rollback).
    await Promise.allSettled(precreated.values());
    for (const [name, outcome] of outcomes) {
      // Timed-out waiters never started: report them as failed by the timeout, not as interrupted.
      if (outcome.state === 'cancelled' && timedOut) results.get(name)!.state = 'failed';
    }

    const ordered = plan.services.map((entry) => results.get(entry.service)!);
    const cancelled = run.signal.aborted && !timedOut;
    const ok = ordered.every((result) => isSuccessfulState(result.state));
    const { removed: rolledBack, failures: rollbackFailures } = !ok && !cancelled && options.rollback ? await rollback() : { removed: [], failures: [] };
    const durationMs = clock() - t0;
    emit({ type: 'stack.done', at: clock(), ok, durationMs });
    return { stack: stack.name, ok, cancelled, plan, noop: isNoop(plan) && ok, durationMs, services: ordered, rolledBack, rollbackFailures };
  } finally {
    overall.clear();
    run.clear();
    await watch?.close();
  }

  /** Undoes what this run did; what could not be undone is reported with its reason, never as done. */
  async function rollback(): Promise<{ removed: string[]; failures: string[] }> {
    const removed: string[] = [];
    const failures: string[] = [];
    const stopOnly = startedContainers.filter((container) => !createdContainers.some((created) => created.id === container.id));
    for (const container of stopOnly) {
      await runtime.stopContainer(container.id, options.stopTimeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS).then(
        () => removed.push(`stopped ${container.name}`),
        (error: unknown) => failures.push(`stop ${container.name}: ${errorMessage(error)}`),
      );
    }
    const live = (await runtime.listContainers(stack.name)).filter((info) => createdContainers.some((created) => created.id === info.id));
    const names = await teardown(stack, live, {
      runtime,
      stackName: stack.name,
      stopTimeoutSeconds: options.stopTimeoutSeconds,
      onEvent: options.onEvent,
      clock,
    }).catch((error: unknown) => {
      failures.push(`remove containers: ${errorMessage(error)}`);
      return [] as string[];
    });
    removed.push(...names.map((name) => `container ${name}`));
    for (const network of createdNetworks) {
      await runtime.removeNetwork(stack.name, network).then(
        () => removed.push(`network ${network}`),
        (error: unknown) => failures.push(`remove network ${network}: ${errorMessage(error)}`),
      );
    }
    for (const volume of createdVolumes) {
      await runtime.removeVolume(stack.name, volume).then(
        () => removed.push(`volume ${volume}`),
        (error: unknown) => failures.push(`remove volume ${volume}: ${errorMessage(error)}`),
      );
    }
    return { removed, failures };
  }
}
