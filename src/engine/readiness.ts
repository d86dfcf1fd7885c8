/**
 * Readiness inside the engine: build the probe target from the started container (its published
 * loopback ports), wait for the probe under its deadline, and stop waiting at once when the
 * container exits (a container that exited will not become ready by waiting).
 */
import type { ProbeSpec } from '../config/model.js';
import { ProbeTimeoutError, errorMessage } from '../errors.js';
import { HopelessProbeError, type Probe, type ProbeTarget } from '../probes/probe.js';
import { ProbeDeadlineError, ProbeGaveUpError } from '../probes/errors.js';
import type { ProbeFailure } from '../probes/probe-failure.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { ContainerWatch } from './container-watch.js';
import { ContainerExitedError } from './failure.js';

export type ProbeFactory = (spec: ProbeSpec) => Probe;

export interface WaitReadyOptions {
  /** Deadline for the probe to pass. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Called after each attempt (error undefined = it passed; failure: the wait's last failure as data). */
  onAttempt?: (attempt: number, error?: string, failure?: ProbeFailure) => void;
}

/**
 * Retries `probe.check` until it passes (resolves with the attempt count), the deadline passes
 * (rejects with ProbeTimeoutError carrying attempts and the last error), it is hopeless
 * (HopelessProbeError) or the signal aborts.
 */
export type WaitReadyFn = (probe: Probe, target: ProbeTarget, options: WaitReadyOptions) => Promise<{ attempts: number }>;

export const PROBE_HOST = '127.0.0.1';

export function probeTarget(runtime: Runtime, service: string, container: ContainerInfo): ProbeTarget {
  return {
    service,
    containerId: container.id,
    host: PROBE_HOST,
    hostPort: (containerPort) =>
      container.ports.find((port) => port.target === containerPort && port.protocol === 'tcp')?.hostPort,
    runtime,
  };
}

export interface AwaitReadyArgs {
  probe: Probe;
  target: ProbeTarget;
  timeoutMs: number;
  signal: AbortSignal;
  watch: ContainerWatch;
  /** Deaths tolerated before giving up (1 without a restart policy: the first exit is final). */
  deathsAllowed: number;
  waitReady: WaitReadyFn;
  onAttempt?: (attempt: number, error?: string) => void;
  /**
   * Recognises a probe error that waiting cannot fix (a credentials failure a dependency reports
   * through /ready, say). When every attempt for `fatalGraceMs` says so, the wait ends early.
   */
  isFatal?: (error: string, failure?: ProbeFailure) => boolean;
  fatalGraceMs?: number;
  clock?: () => number;
}

/** A fatal probe error persisted for the grace period: the wait ended before its deadline. */
export const DEFAULT_FATAL_GRACE_MS = 5000;

export interface ReadyOutcome {
  attempts: number;
  lastError?: string;
  /** The last failure as data, when the probe said why (src/probes/probe-failure.ts). */
  lastFailure?: ProbeFailure;
}

/**
 * Resolves with the attempts when the probe passes. Rejects with ProbeTimeoutError,
 * ContainerExitedError or the abort reason; `record` keeps the attempts and last error either way.
 */
export async function awaitReady(args: AwaitReadyArgs, record: ReadyOutcome): Promise<ReadyOutcome> {
  const local = new AbortController();
  const onAbort = (): void => local.abort(args.signal.reason);
  args.signal.addEventListener('abort', onAbort, { once: true });
  if (args.signal.aborted) onAbort();
  const clock = args.clock ?? Date.now;
  let fatalSince: number | undefined;
  let gaveUp: HopelessProbeError | undefined;
  const onAttempt = (attempt: number, error?: string, failure?: ProbeFailure): void => {
    record.attempts = attempt;
    if (error !== undefined) record.lastError = error;
    if (failure !== undefined) record.lastFailure = failure;
    args.onAttempt?.(attempt, error);
    if (error === undefined || !args.isFatal?.(error, failure)) {
      fatalSince = undefined;
      return;
    }
    fatalSince ??= clock();
    const grace = args.fatalGraceMs ?? DEFAULT_FATAL_GRACE_MS;
    if (!gaveUp && clock() - fatalSince >= grace) {
      gaveUp = new HopelessProbeError(`${error} (unchanged for ${Math.round(grace / 1000)}s over ${attempt} attempts: waiting will not fix it)`);
      local.abort(gaveUp);
    }
  };
  const exited = args.watch
    .waitForExit(args.target.containerId, local.signal, args.deathsAllowed)
    .then((exit) => {
      throw new ContainerExitedError(args.target.service, exit.exitCode, exit.deaths, exit.oomKilled);
    });
  exited.catch(() => undefined);
  try {
    const ready = args.waitReady(args.probe, args.target, { timeoutMs: args.timeoutMs, signal: local.signal, onAttempt });
    const { attempts } = await Promise.race([ready, exited]);
    record.attempts = Math.max(record.attempts, attempts);
    return record;
  } catch (error) {
    if (gaveUp) throw gaveUp;
    if (error instanceof ProbeTimeoutError) {
      record.attempts = Math.max(record.attempts, error.attempts);
      if (error.lastError !== undefined) record.lastError = error.lastError;
      const failure = error instanceof ProbeGaveUpError || error instanceof ProbeDeadlineError ? error.lastFailure : undefined;
      if (failure) record.lastFailure = failure;
    } else if (error instanceof HopelessProbeError) {
      record.lastError = error.message;
      if (error.failure) record.lastFailure = error.failure;
      // The probe saw the container gone: prefer the exit, if the watch knows it.
      const exit = args.watch.lastExit(args.target.containerId);
      if (exit) throw new ContainerExitedError(args.target.service, exit.exitCode, exit.deaths, exit.oomKilled);
      const info = await args.target.runtime.inspectContainer(args.target.containerId).catch(() => undefined);
      if (info && (info.status === 'exited' || info.status === 'dead')) {
        throw new ContainerExitedError(args.target.service, info.exitCode ?? -1, 1, info.oomKilled);
      }
    } else if (!(error instanceof ContainerExitedError) && !args.signal.aborted) {
      record.lastError = errorMessage(error);
    }
    throw error;
  } finally {
    local.abort();
    args.signal.removeEventListener('abort', onAbort);
  }
}
