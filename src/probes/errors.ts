/** Probe outcomes that end a wait. */
import { ProbeTimeoutError, type StackctlErrorOptions } from '../errors.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import type { ProbeFailure } from './probe-failure.js';

export type GaveUpReason = 'hopeless' | 'exited' | 'gone';

/**
 * The wait ended before its deadline because waiting could not help: the probe said so
 * (HopelessProbeError: a wrong password, an unpublished port) or the container exited or vanished.
 * It is a ProbeTimeoutError — same `attempts` and `lastError`, so code that handles a probe that did
 * not pass handles this too — and `reason` (plus the container's last state) says why it ended early.
 */
export class ProbeGaveUpError extends ProbeTimeoutError {
  constructor(
    message: string,
    attempts: number,
    lastError: string | undefined,
    readonly reason: GaveUpReason,
    readonly container: ContainerInfo | undefined,
    options: StackctlErrorOptions = {},
    /** The last attempt's failure as data (when the probe said why). */
    readonly lastFailure?: ProbeFailure,
  ) {
    super(message, attempts, lastError, options);
  }
}

/** The deadline passed with the probe still failing; `lastFailure` is its last failure as data. */
export class ProbeDeadlineError extends ProbeTimeoutError {
  constructor(
    message: string,
    attempts: number,
    lastError: string | undefined,
    readonly lastFailure: ProbeFailure | undefined,
    options: StackctlErrorOptions = {},
  ) {
    super(message, attempts, lastError, options);
  }
}
