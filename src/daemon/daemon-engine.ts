/**
 * The daemon's engine: what the daemon needs from the rest of stackctl (`DaemonEngine`: tests bind it
 * to the in-memory runtime), and `createDaemonEngine`, bound to the real modules: the engine's
 * `up`/`down` (src/engine), the real probes and waitReady, the engine's diagnosis, and the suite
 * runner (src/suite/run-suite.ts, in a child process: suite-process.ts) for the `test` action.
 * Reloading the stack file is the caller's (the CLI knows -f / -p).
 */
import type { Stack } from '../config/model.js';
import { defaultDependencies, down, up } from '../engine/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Diagnosis } from '../diagnose/model.js';
import type { EventListener } from '../engine/events.js';
import type { DiagnoseFn } from '../engine/failure-diagnosis.js';
import type { ProbeFactory, WaitReadyFn } from '../engine/readiness.js';
import type { DownResult, UpResult } from '../engine/results.js';
import { acquireStackLock, describeHolder } from '../engine/stack-lock.js';
import type { TestRequest, TestSummary } from './api-types.js';
import { runSuiteInChildProcess } from './suite-process.js';

/** What the daemon needs from the rest of stackctl. */
export interface DaemonEngine {
  runtime: Runtime;
  /** Loads and validates the stack file again (the `up` action applies edits). */
  reload(): Promise<Stack>;
  up(stack: Stack, options: { signal: AbortSignal; onEvent: EventListener }): Promise<UpResult>;
  /** Creates and starts one service's missing container the way `up` does (its dependencies are the supervisor's business). */
  upService(stack: Stack, service: string, options: { signal: AbortSignal; onEvent: EventListener }): Promise<UpResult>;
  down(stack: Stack, options: { removeVolumes: boolean; onEvent: EventListener; signal?: AbortSignal }): Promise<DownResult>;
  probeFactory: ProbeFactory;
  waitReady: WaitReadyFn;
  diagnose: DiagnoseFn;
  /**
   * Runs the integration suite and writes the report; absent when this build has no suite runner.
   * `diagnoses` are the daemon's of the services it gave up on, for the report's root causes.
   */
  test?(stack: Stack, options: { signal: AbortSignal; request: TestRequest; diagnoses: Map<string, Diagnosis> }): Promise<TestSummary>;
}

/**
 * The stack reduced to one service, without its dependencies, for recreating that service alone:
 * the supervisor has already waited for the dependencies, and reconcile leaves the other services'
 * containers alone (they are not in this stack, so they are not planned). depends_on is not part of
 * the config hash, so the container is the one a full `up` would create.
 */
export function singleServiceStack(stack: Stack, service: string): Stack {
  return {
    ...stack,
    services: stack.services.filter((s) => s.name === service).map((s) => ({ ...s, dependsOn: [] })),
  };
}

export interface RealEngineOptions {
  runtime: Runtime;
  stack: Stack;
  reload: () => Promise<Stack>;
}

/** The daemon's own up/down wait for an up or down of the same stack run outside it (STACKCTL_NO_DAEMON=1). */
const DAEMON_LOCK_TIMEOUT_MS = 10 * 60_000;

export function createDaemonEngine(options: RealEngineOptions): DaemonEngine {
  const { runtime } = options;
  const deps = defaultDependencies(options.stack);
  const locked = async <T>(stack: Stack, signal: AbortSignal | undefined, onEvent: EventListener, run: () => Promise<T>): Promise<T> => {
    const lock = await acquireStackLock(stack.name, {
      timeoutMs: DAEMON_LOCK_TIMEOUT_MS,
      command: `stackctl daemon (pid ${process.pid})`,
      ...(signal ? { signal } : {}),
      onWait: (holder) => onEvent({ type: 'stack.waiting', at: Date.now(), reason: `another stackctl acts on the stack: ${describeHolder(holder)}` }),
    });
    try {
      return await run();
    } finally {
      lock.release();
    }
  };
  return {
    runtime,
    reload: options.reload,
    up: (stack, o) => locked(stack, o.signal, o.onEvent, () => up(stack, { runtime, signal: o.signal, onEvent: o.onEvent })),
    upService: (stack, service, o) => locked(stack, o.signal, o.onEvent, () => up(singleServiceStack(stack, service), { runtime, signal: o.signal, onEvent: o.onEvent })),
    down: (stack, o) => locked(stack, o.signal, o.onEvent, () => down(stack, { runtime, removeVolumes: o.removeVolumes, onEvent: o.onEvent, ...(o.signal ? { signal: o.signal } : {}) })),
    probeFactory: deps.probeFactory,
    waitReady: deps.waitReady,
    diagnose: deps.diagnose,
    test: (stack, o) => runSuiteInChildProcess(stack, o),
  };
}
