/**
 * AbortSignal helpers built on setTimeout (so fake timers drive them in tests, unlike
 * AbortSignal.timeout) with explicit clean-up.
 */
import { setMaxListeners } from 'node:events';

export interface Deadline {
  signal: AbortSignal;
  clear(): void;
}

/** A signal that aborts with `reason()` after `ms` (never when ms is not finite). */
export function deadline(ms: number, reason: () => Error): Deadline {
  const controller = new AbortController();
  if (!Number.isFinite(ms)) return { signal: controller.signal, clear: () => undefined };
  const timer = setTimeout(() => controller.abort(reason()), Math.max(0, ms));
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Aborts when any of the signals aborts, with that signal's reason. */
export function anySignal(signals: Array<AbortSignal | undefined>): Deadline {
  const controller = new AbortController();
  // A run's signal is the source of one of these per service and probe: past 10 Node printed a
  // MaxListenersExceededWarning into a no-op `up` of the ten-service example. The listeners are removed by clear().
  setMaxListeners(0, controller.signal);
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const listeners: Array<() => void> = [];
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    listeners.push(() => signal.removeEventListener('abort', onAbort));
  }
  return { signal: controller.signal, clear: () => listeners.forEach((remove) => remove()) };
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
