/**
 * The engine's `up` of the stack (adopting what already runs, like `stackctl up`), then the picture
 * after it — what runs, and each service's outcome and diagnosis — handed to the supervisor, which
 * resumes. The daemon does this when it starts, for the `up` action, and when the engine answers
 * again after an outage.
 */
import type { Stack } from '../config/model.js';
import type { UpResult } from '../engine/results.js';
import { CancelledError, EngineUnavailableError, errorMessage, isStackctlError } from '../errors.js';
import type { Say } from './daemon-log.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { PhaseTracker } from './daemon-phase.js';
import type { EngineProgress } from './engine-progress.js';
import type { ServiceLogs } from './service-logs.js';
import type { InitEntry, Supervisor } from './supervisor.js';

export interface BringUpOutcome {
  ok: boolean;
  result?: UpResult;
  /** Why the engine's `up` failed as a whole (the stack is then supervised as it is). */
  error?: string;
}

/** Brings the stack up; undefined when `signal` interrupted it. */
export type BringUp = (signal: AbortSignal) => Promise<BringUpOutcome | undefined>;

export interface BringUpParts {
  supervised: { readonly stack: Stack; readonly supervisor: Pick<Supervisor, 'suspend' | 'observeAll' | 'init'> };
  engine: Pick<DaemonEngine, 'up'>;
  progress: EngineProgress;
  phase: Pick<PhaseTracker, 'set'>;
  logs: Pick<ServiceLogs, 'attach'>;
  say: Say;
}

/**
 * Throws EngineUnavailableError when the engine does not answer (there is nothing to supervise
 * without it); any other failure of `up` is said and the stack supervised as it is.
 */
export async function bringUp(parts: BringUpParts, signal: AbortSignal): Promise<BringUpOutcome | undefined> {
  const { supervised, progress } = parts;
  supervised.supervisor.suspend('up');
  progress.clear();
  let result: UpResult | undefined;
  let failure: string | undefined;
  try {
    result = await parts.engine.up(supervised.stack, { signal, onEvent: progress.onEvent });
  } catch (error) {
    if (signal.aborted || error instanceof CancelledError) return undefined;
    if (error instanceof EngineUnavailableError) throw error;
    failure = isStackctlError(error) ? error.shortMessage : errorMessage(error);
    parts.say('error', `up failed: ${failure}; supervising what runs`);
  }
  if (signal.aborted) return undefined;
  const entries = withOutcomes(await supervised.supervisor.observeAll(), result);
  supervised.supervisor.init(entries);
  progress.clear();
  parts.logs.attach();
  const ready = entries.filter((e) => e.outcome === 'ready' || e.outcome === 'started' || e.outcome === 'completed').length;
  parts.phase.set('supervising', `${ready}/${entries.length} services ready after up${result ? ` (${result.durationMs} ms)` : ''}`);
  return { ok: result?.ok ?? false, ...(result ? { result } : {}), ...(failure ? { error: failure } : {}) };
}

/** What runs, each service with its outcome in `up` (unless cancelled) and its diagnosis. */
function withOutcomes(observed: InitEntry[], result: UpResult | undefined): InitEntry[] {
  const byService = new Map((result?.services ?? []).map((s) => [s.service, s]));
  return observed.map((entry) => {
    const outcome = byService.get(entry.service);
    const out: InitEntry = { ...entry };
    if (outcome && outcome.state !== 'cancelled') out.outcome = outcome.state;
    if (outcome?.diagnosis) out.diagnosis = outcome.diagnosis;
    return out;
  });
}
