/**
 * The engine's public API, for the CLI and the daemon:
 *
 *   up(stack, { runtime, signal, parallel, build, timeoutMs, rollback, onEvent, onPlan }) → UpResult
 *   down(stack | name, { runtime, removeVolumes, stopTimeoutSeconds, signal, onEvent }) → DownResult
 *
 * `up` adopts containers that already run with the stack's labels and an unchanged config hash
 * (reconcile's `keep`), so calling it on a running stack re-probes and changes nothing. Probes,
 * the diagnosis classifier and the context hash default to the real implementations; tests pass
 * their own.
 */
import type { Stack } from '../config/model.js';
import { ProbeGaveUpError } from '../probes/errors.js';
import { createProbe } from '../probes/create-probe.js';
import { waitReady } from '../probes/wait-ready.js';
import { computeContextHash } from '../runtime/context-hash.js';
import { Redactor } from '../secrets.js';
import { stackRedactor } from '../config/secret-values.js';
import { classifyText } from '../diagnose/classify.js';
import { classifyProbeFailure, serviceWords } from '../diagnose/classify-probe.js';
import type { ProbeFailure } from '../probes/probe-failure.js';
import type { RootCauseCode } from '../diagnose/model.js';
import { diagnose } from '../diagnose/diagnose-service.js';
import { LOG_TAIL, type DiagnoseFn } from './failure-diagnosis.js';
import { ContainerExitedError } from './failure.js';
import type { WaitReadyFn } from './readiness.js';
import type { UpResult } from './results.js';
import { runUp, type UpDependencies, type UpOptions } from './up.js';

export { down, teardown, DEFAULT_STOP_TIMEOUT_SECONDS, type DownOptions } from './down.js';
export type { EngineEvent, EventListener, ServicePhase } from './events.js';
export type { DownResult, ServiceResult, ServiceState, ServiceTimings, UpResult } from './results.js';
export type { UpDependencies, UpOptions } from './up.js';
export { formatPlan, isNoop, type Plan } from '../plan/plan.js';

export const PROBE_BACKOFF_FACTOR = 1.3;

/** The real probes (src/probes) behind the engine's WaitReadyFn. */
export function probeWaiter(redactor: Redactor): WaitReadyFn {
  return async (probe, target, options) => {
    try {
      const result = await waitReady(probe, target, {
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        redactor,
        // Start at 50 ms and back off to 1 s, but gently (×1.3): a service that answers after 2 s is
        // seen within ~0.25 s of it, not up to a second later (×2 would wait 0.8 s, then 1 s).
        factor: PROBE_BACKOFF_FACTOR,
        onAttempt: (attempt) => options.onAttempt?.(attempt.attempt, attempt.ok ? undefined : (attempt.error ?? 'failed'), attempt.failure),
      });
      return { attempts: result.attempts };
    } catch (error) {
      // The container exited while we waited: say so as an exit (its code is the fact that matters).
      if (error instanceof ProbeGaveUpError && error.reason !== 'hopeless') {
        const info = error.container;
        throw new ContainerExitedError(target.service, info?.exitCode ?? -1, 1, info?.oomKilled ?? false);
      }
      throw error;
    }
  };
}

/**
 * The diagnosis classifier (src/diagnose) fed with the facts the engine gathers: the container's
 * state after the failure, its last log lines, the probe's record and the error that ended it.
 */
export function classifier(stack: Stack, redactor: Redactor): DiagnoseFn {
  return async (context, runtime) => {
    const container = context.containerId ? await runtime.inspectContainer(context.containerId).catch(() => undefined) : undefined;
    const logs = context.containerId ? await runtime.logs(context.containerId, LOG_TAIL * 5).catch(() => '') : '';
    return diagnose({
      service: context.service,
      ...(container ? { container } : {}),
      logs,
      ...(context.probe
        ? {
            probe: {
              attempts: context.probe.attempts,
              ...(context.probe.lastError === undefined ? {} : { lastError: context.probe.lastError }),
              ...(context.probe.lastFailure === undefined ? {} : { lastFailure: context.probe.lastFailure }),
            },
          }
        : {}),
      error: context.error,
      stack,
      redactor,
      tailLines: LOG_TAIL,
    });
  };
}

/**
 * Root causes that do not heal by waiting: a wrong or missing credential stays wrong. A probe whose
 * every answer for a few seconds shows one of these (e.g. /ready → 503 "redis: Authentication
 * required") fails then instead of at its deadline. Connection refusals are not here: a dependency
 * still starting refuses too.
 */
export const FATAL_CAUSES: ReadonlySet<RootCauseCode> = new Set(['redis-auth', 'postgres-auth', 'http-auth-refused', 'module-not-found', 'missing-env', 'editable-outside-context']);

export function fatalProbeError(stack: Stack): (error: string, failure?: ProbeFailure) => boolean {
  return (error, failure) => {
    // The probe's failure read as data; only what the service said through it (an HTTP body, a
    // command's output) is matched as text. Without the data, the message is all there is.
    const cause = failure
      ? (classifyProbeFailure(failure, { stack }) ?? classifyText([serviceWords(failure)], { stack }))
      : classifyText([error], { stack });
    return cause !== undefined && FATAL_CAUSES.has(cause.code);
  };
}

export function defaultDependencies(stack: Stack): UpDependencies {
  const redactor = stackRedactor(stack);
  return {
    probeFactory: (spec) => createProbe(spec, { redactor }),
    waitReady: probeWaiter(redactor),
    diagnose: classifier(stack, redactor),
    contextHash: computeContextHash,
    isFatal: fatalProbeError(stack),
  };
}

export interface EngineUpOptions extends UpOptions, Partial<UpDependencies> {}

export async function up(stack: Stack, options: EngineUpOptions): Promise<UpResult> {
  const defaults = defaultDependencies(stack);
  return runUp(stack, options, {
    probeFactory: options.probeFactory ?? defaults.probeFactory,
    waitReady: options.waitReady ?? defaults.waitReady,
    diagnose: options.diagnose ?? defaults.diagnose,
    contextHash: options.contextHash ?? defaults.contextHash,
    isFatal: options.isFatal ?? defaults.isFatal,
  });
}
