/**
 * What the engine returns: per-service results with timings and, for a failed service, its
 * Diagnosis. The CLI's summary, the suite's report and the daemon's status are built from these.
 */
import type { Diagnosis } from '../diagnose/model.js';
import type { Plan, ServiceAction } from '../plan/plan.js';

export type ServiceState =
  /** The readiness probe passed (or, without a probe, the container runs). */
  | 'ready'
  /** The container runs; the service has no readiness probe to prove more. */
  | 'started'
  /** A job awaited with `condition: completed` exited 0. */
  | 'completed'
  | 'failed'
  | 'blocked'
  /** Interrupted (Ctrl-C / AbortSignal) before it was ready. */
  | 'cancelled';

/** The service did what its dependents wait for: ready, started (no probe to prove more) or a job completed. */
export function isSuccessfulState(state: ServiceState): boolean {
  return state === 'ready' || state === 'started' || state === 'completed';
}

export interface ServiceTimings {
  /** Image build, pull or lookup. */
  buildMs?: number;
  /** Waiting for dependencies' conditions. */
  waitMs?: number;
  /** Removing the replaced container (recreate). */
  removeMs?: number;
  createMs?: number;
  /** The engine's start call. */
  startMs?: number;
  /** From the container's start to the probe passing (or the job exiting). */
  readyMs?: number;
  /** Offsets from the beginning of the run (ms): when dependencies were met, when the container started, when it was ready. */
  depsMetAt?: number;
  startedAt?: number;
  readyAt?: number;
}

export interface ServiceResult {
  service: string;
  state: ServiceState;
  /** What the plan did with it. */
  action: ServiceAction;
  cause: string;
  containerId?: string;
  containerName: string;
  timings: ServiceTimings;
  /** Probe attempts until ready (or until the deadline). */
  attempts: number;
  /** Present for failed and blocked services. */
  diagnosis?: Diagnosis;
  blockedBy?: string;
  /** Host ports published for the service's container ports. */
  ports: Array<{ target: number; hostIp: string; hostPort: number; protocol: 'tcp' | 'udp' }>;
}

export interface UpResult {
  stack: string;
  ok: boolean;
  cancelled: boolean;
  plan: Plan;
  noop: boolean;
  durationMs: number;
  /** In dependency order. */
  services: ServiceResult[];
  /** Containers, networks and volumes --rollback removed (empty without --rollback). */
  rolledBack: string[];
  /** What --rollback tried to undo and could not, each with the engine's reason. */
  rollbackFailures: string[];
}

export interface DownResult {
  stack: string;
  /** Container names stopped and removed, in the order they went. */
  containers: string[];
  networks: string[];
  volumes: string[];
  durationMs: number;
}
