/**
 * A readiness probe: one small object per kind (tcp.ts, http.ts, postgres.ts, redis.ts, exec.ts,
 * log.ts), built from a ProbeSpec by create-probe.ts, retried under a deadline by wait-ready.ts.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { ProbeFailure } from './probe-failure.js';

export interface ProbeTarget {
  service: string;
  containerId: string;
  /** Host address the service's published ports are reached on (127.0.0.1). */
  host: string;
  /** Host port published for a container port, if any. */
  hostPort(containerPort: number): number | undefined;
  runtime: Runtime;
}

export interface Probe {
  /** e.g. `redis AUTH+PING on 127.0.0.1:49153`; never contains a credential. */
  describe(target: ProbeTarget): string;
  /**
   * Resolves when the service is ready; rejects with the reason when not (yet).
   * Rejects with `HopelessProbeError` when waiting longer cannot help (e.g. the container exited).
   */
  check(target: ProbeTarget, signal: AbortSignal): Promise<void>;
  /**
   * Each attempt starts a process in the container through the engine (an exec): such attempts
   * take turns (engine-turn.ts) instead of all reaching the engine at once.
   */
  readonly execsInContainer?: boolean;
}

/** Waiting cannot make this probe pass: stop retrying. `failure` says why, as data, when the probe knows. */
export class HopelessProbeError extends Error {
  override readonly name = 'HopelessProbeError';
  constructor(
    message: string,
    readonly failure?: ProbeFailure,
  ) {
    super(message);
  }
}
