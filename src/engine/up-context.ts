/**
 * What the parts of `up` share: its options and dependencies, and the state of one run (results so
 * far, diagnoses, what this run created or started — the rollback's undo log).
 */
import type { Service, Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import type { Plan } from '../plan/plan.js';
import type { ProbeFailure } from '../probes/probe-failure.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { DiagnoseFn } from './failure-diagnosis.js';
import type { EngineEvent, EventListener, ServicePhase } from './events.js';
import type { ContextHashFn } from './images.js';
import type { ProbeFactory, WaitReadyFn } from './readiness.js';
import type { ServiceResult } from './results.js';
import type { VolumeSeeder } from './volume-seeder.js';

export type Milestone = 'started' | 'ready' | 'completed';

/** The pieces `up` is built from; src/engine/index.ts fills them with the real implementations. */
export interface UpDependencies {
  probeFactory: ProbeFactory;
  waitReady: WaitReadyFn;
  diagnose: DiagnoseFn;
  contextHash: ContextHashFn;
  /** A probe error that waiting cannot fix (see readiness.ts); default: none is. */
  isFatal?: (error: string, failure?: ProbeFailure) => boolean;
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
  /** `--seed-snapshot`: fills new volumes before containers exist, keeps a service's data at its first readiness. */
  seeder?: VolumeSeeder;
}

/** What this run created or started: what a rollback undoes, and nothing else. */
export interface UndoLog {
  createdContainers: ContainerInfo[];
  startedContainers: ContainerInfo[];
  createdNetworks: string[];
  createdVolumes: string[];
}

/** One run of `up`, as its parts see it. */
export interface UpRun {
  stack: Stack;
  services: Map<string, Service>;
  options: UpOptions;
  deps: UpDependencies;
  runtime: Runtime;
  clock: () => number;
  /** When the run began (clock()). */
  t0: number;
  /** Ctrl-C or the overall --timeout. */
  signal: AbortSignal;
  /** True once the overall --timeout fired (its abort is then a failure, not a cancellation). */
  timedOut(): boolean;
  results: Map<string, ServiceResult>;
  diagnoses: Map<string, Diagnosis>;
  undo: UndoLog;
  emit(event: EngineEvent): void;
  phase(service: string, phase: ServicePhase, detail?: string): void;
}
