/**
 * How a service failed, as data: the phase it failed in, the error, the container (if one exists)
 * and the probe's record. The diagnosis (src/diagnose) turns this into a Diagnosis.
 */
import { StackctlError, type StackctlErrorOptions } from '../errors.js';
import type { ProbeFailure } from '../probes/probe-failure.js';

export type FailurePhase = 'build' | 'pull' | 'create' | 'start' | 'probe' | 'exit' | 'timeout';

export interface ProbeRecord {
  attempts: number;
  lastError?: string;
  /** The last failure as data, when the probe said why. */
  lastFailure?: ProbeFailure;
  /** e.g. `http GET /ready on 127.0.0.1:49153` (never a credential). */
  description?: string;
}

export interface FailureContext {
  service: string;
  phase: FailurePhase;
  error: unknown;
  containerId?: string;
  exitCode?: number;
  probe?: ProbeRecord;
}

/** A service failed; thrown inside the engine so the scheduler marks it failed (even while aborting). */
export class ServiceFailure extends StackctlError {
  readonly code = 'E_SERVICE_FAILED';
  constructor(
    message: string,
    readonly context: FailureContext,
    options: StackctlErrorOptions = {},
  ) {
    super(message, { ...options, service: context.service });
  }
}

/** The container exited while it was expected to run (or a job exited non-zero). */
export class ContainerExitedError extends StackctlError {
  readonly code = 'E_CONTAINER_EXITED';
  constructor(
    service: string,
    /** The container's exit status (not the CLI's exit code). */
    readonly status: number,
    readonly deaths: number,
    readonly oomKilled: boolean,
  ) {
    super(
      oomKilled
        ? `container was OOM-killed (exit ${status})`
        : deaths > 1
          ? `container exited ${deaths} times (last exit code ${status})`
          : `container exited with code ${status}`,
      { service },
    );
  }
}

/** A service's start_timeout (or up's --timeout) ran out before it was ready. */
export class StartTimeoutError extends StackctlError {
  readonly code = 'E_START_TIMEOUT';
}
