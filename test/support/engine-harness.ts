/**
 * Drives the engine against the in-memory runtime under vitest's fake timers: every timestamp in
 * the recorded events is the fake clock's, so tests can assert exactly when each service started.
 */
import { vi } from 'vitest';
import type { Stack } from '../../src/config/model.js';
import { ProbeTimeoutError, errorMessage } from '../../src/errors.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { plainDiagnosis } from '../../src/engine/failure-diagnosis.js';
import type { WaitReadyFn } from '../../src/engine/readiness.js';
import { runUp, type UpDependencies, type UpOptions } from '../../src/engine/up.js';
import type { UpResult } from '../../src/engine/results.js';
import { HopelessProbeError } from '../../src/probes/probe.js';
import type { MemoryRuntime } from './memory-runtime.js';

/** A fixed-interval retry loop: enough for the scheduler's tests (the real one lives in src/probes). */
export function pollingWaitReady(intervalMs = 50): WaitReadyFn {
  return async (probe, target, options) => {
    const started = Date.now();
    let attempt = 0;
    let lastError: string | undefined;
    for (;;) {
      if (options.signal.aborted) throw options.signal.reason;
      attempt += 1;
      try {
        await probe.check(target, options.signal);
        options.onAttempt?.(attempt);
        return { attempts: attempt };
      } catch (error) {
        lastError = errorMessage(error);
        options.onAttempt?.(attempt, lastError);
        if (error instanceof HopelessProbeError) throw error;
      }
      if (Date.now() - started + intervalMs > options.timeoutMs) {
        throw new ProbeTimeoutError(`not ready after ${attempt} attempts`, attempt, lastError);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
}

export function memoryDependencies(runtime: MemoryRuntime, overrides: Partial<UpDependencies> = {}): UpDependencies {
  return {
    probeFactory: runtime.probeFactory(),
    waitReady: pollingWaitReady(),
    diagnose: plainDiagnosis,
    contextHash: async (build) => `ctx${build.context.length.toString(16).padStart(8, '0')}`,
    ...overrides,
  };
}

export interface Run {
  result: UpResult;
  events: EngineEvent[];
  /** Fake-clock time (ms since the run began) of the first event matching. */
  at(service: string, phase: string): number | undefined;
  /** `service:phase` in emission order (waiting phases left out). */
  timeline(): string[];
}

/** Runs `up` to completion, advancing fake time in small steps. Call vi.useFakeTimers() first. */
export async function runToEnd(
  stack: Stack,
  runtime: MemoryRuntime,
  options: Partial<UpOptions> = {},
  deps: Partial<UpDependencies> = {},
  during?: (elapsed: number) => void,
): Promise<Run> {
  const events: EngineEvent[] = [];
  const t0 = Date.now();
  let settled = false;
  const promise = runUp(
    stack,
    {
      runtime,
      ...options,
      onEvent: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
    },
    memoryDependencies(runtime, deps),
  ).finally(() => {
    settled = true;
  });
  promise.catch(() => undefined);
  while (!settled) {
    await vi.advanceTimersByTimeAsync(5);
    during?.(Date.now() - t0);
  }
  const result = await promise;
  return {
    result,
    events,
    at: (service, phase) => {
      const event = events.find((e) => e.type === 'service.phase' && e.service === service && e.phase === phase);
      return event ? event.at - t0 : undefined;
    },
    timeline: () =>
      events.flatMap((e) => (e.type === 'service.phase' && e.phase !== 'waiting' ? [`${e.service}:${e.phase}`] : [])),
  };
}
