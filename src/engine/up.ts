/**
 * `up`: prepare images → observe → reconcile (pure) → execute the plan with the DAG scheduler.
 *
 * Each service starts the moment every dependency meets its condition (`started`: its container was
 * started; `ready`: its probe passed — or it runs, without a probe; `completed`: it exited 0), under
 * an optional cap on how many services are in progress at once. A failed service (build error,
 * exit, probe deadline, start_timeout) gets a Diagnosis; whatever required it becomes `blocked` with
 * the root failing service named; independent branches go on. The engine reports through typed
 * EngineEvents and never prints.
 *
 * The parts: up-prepare.ts (everything before the first service starts), up-service.ts (one
 * service's turn), up-rollback.ts (`--rollback`); up-context.ts is what they share.
 */
import { awaitedJobs, type Service, type Stack } from '../config/model.js';
import { containerName } from '../plan/names.js';
import { isNoop } from '../plan/plan.js';
import { blockedDiagnosis } from './failure-diagnosis.js';
import type { EngineEvent, ServicePhase } from './events.js';
import { ServiceFailure, StartTimeoutError } from './failure.js';
import { isSuccessfulState, type UpResult } from './results.js';
import { traverse, type TraversalNode } from '../graph/traverse.js';
import { anySignal, deadline } from './signals.js';
import type { Milestone, UpDependencies, UpOptions, UpRun } from './up-context.js';
import { prepareUp, type PreparedUp } from './up-prepare.js';
import { rollback } from './up-rollback.js';
import { runService } from './up-service.js';

export type { UpDependencies, UpOptions } from './up-context.js';

function closure(stack: Stack): Map<string, Service> {
  return new Map(stack.services.map((service) => [service.name, service]));
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
  const signals = anySignal([options.signal, overall.signal]);
  const run: UpRun = {
    stack,
    services: closure(stack),
    options,
    deps,
    runtime,
    clock,
    t0,
    signal: signals.signal,
    timedOut: () => timedOut,
    results: new Map(),
    diagnoses: new Map(),
    undo: { createdContainers: [], startedContainers: [], createdNetworks: [], createdVolumes: [] },
    emit,
    phase,
  };
  for (const service of stack.services) {
    run.results.set(service.name, {
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
  let prepared: PreparedUp | undefined;

  try {
    prepared = await prepareUp(run);
    const { plan, precreated } = prepared;
    const jobs = awaitedJobs(stack);

    const traversalStart = clock();
    // A kept container is already running: nothing about it waits for its dependencies, so it is
    // re-probed at once — except on a dependency this run (re)starts, whose failure must show as
    // `blocked by` rather than as this service's probe timing out. (Kept services depend on a
    // recreated one only with `dependents: 'reprobe'`: they are re-probed once it is ready.)
    const actionOf = new Map(plan.services.map((entry) => [entry.service, entry.action]));
    const nodes: Array<TraversalNode<Milestone>> = plan.services.map((entry) => ({
      id: entry.service,
      waitsFor: (run.services.get(entry.service)?.dependsOn ?? [])
        .filter((dep) => entry.action !== 'keep' || (actionOf.get(dep.service) ?? 'keep') !== 'keep')
        .map((dep) => ({ node: dep.service, milestone: dep.condition, required: dep.required })),
    }));
    const turnOf = (name: string) => ({
      traversalStart,
      waitsFor: nodes.find((node) => node.id === name)?.waitsFor.length ?? 0,
      isJob: jobs.has(name),
    });

    const outcomes = await traverse<Milestone>({
      nodes,
      parallel: options.parallel,
      signal: run.signal,
      isFailure: (error) => error instanceof ServiceFailure,
      run: (name, context) => runService(run, prepared!, turnOf(name), name, (milestone) => context.reach(milestone), context.signal),
      onState: (name, state, outcome) => {
        const result = run.results.get(name)!;
        if (state === 'blocked' && outcome?.blockedBy) {
          result.state = 'blocked';
          result.blockedBy = outcome.blockedBy;
          result.diagnosis = blockedDiagnosis(name, outcome.blockedBy, run.diagnoses.get(outcome.blockedBy));
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
      if (outcome.state === 'cancelled' && timedOut) run.results.get(name)!.state = 'failed';
    }

    const ordered = plan.services.map((entry) => run.results.get(entry.service)!);
    const cancelled = run.signal.aborted && !timedOut;
    const ok = ordered.every((result) => isSuccessfulState(result.state));
    const undone =
      !ok && !cancelled && options.rollback
        ? await rollback(stack, run.undo, { runtime, stopTimeoutSeconds: options.stopTimeoutSeconds, onEvent: options.onEvent, clock })
        : { removed: [], failures: [] };
    const durationMs = clock() - t0;
    emit({ type: 'stack.done', at: clock(), ok, durationMs });
    return { stack: stack.name, ok, cancelled, plan, noop: isNoop(plan) && ok, durationMs, services: ordered, rolledBack: undone.removed, rollbackFailures: undone.failures };
  } finally {
    overall.clear();
    signals.clear();
    await prepared?.watch.close();
  }
}
