/**
 * Waits for a probe to pass: retried with p-retry from about 50 ms, backing off to about 1 s,
 * under a deadline, cancelled by an AbortSignal. Between failed attempts the container is inspected:
 * one that exited (or vanished) will not become ready by waiting, and neither will a probe that
 * throws HopelessProbeError — both end the wait at once with ProbeGaveUpError. The attempt count
 * and the last error are kept for the diagnosis.
 */
import pRetry, { AbortError } from 'p-retry';
import { CancelledError, ProbeTimeoutError, errorMessage } from '../errors.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { inTurn } from './engine-turn.js';
import { ProbeDeadlineError, ProbeGaveUpError } from './errors.js';
import { probeFailureOf, redactFailure, type ProbeFailure } from './probe-failure.js';
import { HopelessProbeError, type Probe, type ProbeTarget } from './probe.js';
import type { TextRedactor } from './support.js';

export interface WaitReadyOptions {
  /** Deadline, in ms from now. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** First delay between attempts (default 50 ms). */
  minDelayMs?: number;
  /** Longest delay between attempts (default 1000 ms). */
  maxDelayMs?: number;
  /** Growth of the delay per attempt (default 2). */
  factor?: number;
  /** One attempt's time limit (default 5000 ms, never past the deadline). */
  attemptTimeoutMs?: number;
  /** Inspect the container between failed attempts and stop when it exited (default true). */
  watchContainer?: boolean;
  /** Called after every attempt, e.g. to emit `service.probe` events. */
  onAttempt?: (attempt: ProbeAttempt) => void;
  /** Applied to error texts (the probes already keep their own credentials out). */
  redactor?: TextRedactor;
}

export interface ProbeAttempt {
  attempt: number;
  ok: boolean;
  error?: string;
  /** After a failed attempt: the wait's last failure as data (the one the diagnosis will read), when the probe said why. */
  failure?: ProbeFailure;
  elapsedMs: number;
}

export interface WaitReadyResult {
  attempts: number;
  durationMs: number;
}

function validate(options: WaitReadyOptions): void {
  const positive = (name: string, value: number | undefined, allowZero = false): void => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new TypeError(`waitReady: option \`${name}\` must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${value}`);
    }
  };
  positive('timeoutMs', options.timeoutMs, true);
  positive('minDelayMs', options.minDelayMs, true);
  positive('maxDelayMs', options.maxDelayMs, true);
  positive('attemptTimeoutMs', options.attemptTimeoutMs);
  if (options.factor !== undefined && !(options.factor >= 1)) throw new TypeError(`waitReady: option \`factor\` must be ≥ 1, got ${options.factor}`);
}

function exitText(info: ContainerInfo): string {
  if (info.oomKilled) return `the container was killed for lack of memory (OOM, exit code ${info.exitCode ?? '?'})`;
  return `the container exited with code ${info.exitCode ?? '?'}`;
}

export async function waitReady(probe: Probe, target: ProbeTarget, options: WaitReadyOptions): Promise<WaitReadyResult> {
  validate(options);
  const { signal, redactor } = options;
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const attemptTimeout = options.attemptTimeoutMs ?? 5000;
  const watch = options.watchContainer ?? true;
  const description = probe.describe(target);
  let attempts = 0;
  let lastError: string | undefined;
  let lastFailure: ProbeFailure | undefined;

  const gaveUp = (reason: ProbeGaveUpError['reason'], why: string, container?: ContainerInfo): AbortError =>
    new AbortError(
      new ProbeGaveUpError(
        `${target.service}: gave up waiting after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${why}`,
        attempts,
        lastError,
        reason,
        container,
        { service: target.service },
        lastFailure,
      ),
    );

  // Its time limit starts when its turn comes (engine-turn.ts).
  const attempt = (number: number): Promise<void> =>
    inTurn(probe, () => attemptNow(number), signal).catch((error: unknown) => {
      if (signal?.aborted && !(error instanceof AbortError)) throw new AbortError(new CancelledError(`waiting for ${target.service} to be ready was cancelled`));
      throw error;
    });

  const attemptNow = async (number: number): Promise<void> => {
    attempts = number;
    // AbortSignal.timeout takes whole milliseconds only.
    const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
    const budget = Math.min(attemptTimeout, remaining);
    const limit = AbortSignal.timeout(budget);
    const attemptSignal = signal ? AbortSignal.any([signal, limit]) : limit;
    try {
      await probe.check(target, attemptSignal);
    } catch (error) {
      if (signal?.aborted) throw new AbortError(new CancelledError(`waiting for ${target.service} to be ready was cancelled`));
      const timedOut = limit.aborted && !(error instanceof HopelessProbeError);
      const raw = timedOut ? `${description}: no answer within ${budget} ms` : errorMessage(error);
      const redact = (text: string): string => (redactor ? redactor.redact(text) : text);
      const message = redact(raw);
      const thrown = probeFailureOf(error);
      const failure = thrown && redactFailure({ ...thrown, ...(timedOut ? { kind: 'timeout' as const } : {}), message: raw }, redact);
      // An attempt the deadline cut short says less than the one before it: keep that one.
      if (!(timedOut && budget < attemptTimeout && lastError !== undefined)) {
        lastError = message;
        lastFailure = failure;
      }
      options.onAttempt?.({
        attempt: number,
        ok: false,
        error: message,
        ...(lastFailure ? { failure: lastFailure } : {}),
        elapsedMs: performance.now() - started,
      });
      if (error instanceof HopelessProbeError) throw gaveUp('hopeless', lastError);
      if (watch) {
        const info = await target.runtime.inspectContainer(target.containerId).catch(() => undefined);
        if (!info) throw gaveUp('gone', 'the container no longer exists');
        if (info.status === 'exited' || info.status === 'dead') throw gaveUp('exited', exitText(info), info);
      }
      // A fresh Error: p-retry would not retry a TypeError a probe let through.
      throw new Error(lastError);
    }
    options.onAttempt?.({ attempt: number, ok: true, elapsedMs: performance.now() - started });
  };

  try {
    await pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: options.minDelayMs ?? 50,
      maxTimeout: options.maxDelayMs ?? 1000,
      factor: options.factor ?? 2,
      maxRetryTime: options.timeoutMs,
      randomize: false,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof ProbeTimeoutError || error instanceof CancelledError) throw error;
    if (signal?.aborted) throw new CancelledError(`waiting for ${target.service} to be ready was cancelled`);
    const seconds = (options.timeoutMs / 1000).toFixed(options.timeoutMs % 1000 === 0 ? 0 : 1);
    throw new ProbeDeadlineError(
      `${target.service} not ready after ${seconds}s (${attempts} attempt${attempts === 1 ? '' : 's'} of ${description}): ${lastError ?? 'no attempt finished'}`,
      attempts,
      lastError,
      lastFailure,
      { service: target.service, hint: 'the last probe error says what was still wrong; raise readiness.timeout if the service is only slow' },
    );
  }
  return { attempts, durationMs: performance.now() - started };
}
