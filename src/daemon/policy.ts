/**
 * Supervision settings and the restart rules that follow from a service's `restart` policy. Pure.
 */
import type { RestartPolicy } from '../config/model.js';

export interface SupervisionOptions {
  /** Period of the liveness probe of a ready service. */
  probeIntervalMs: number;
  /** Period of the probe while a service is unready (counting failures). */
  unreadyProbeIntervalMs: number;
  /** Consecutive failed probes of a running service before it is restarted. */
  failureThreshold: number;
  /** Deadline of one periodic probe attempt. */
  probeTimeoutMs: number;
  /** First restart delay; each further restart in a row waits `backoffFactor` times longer, up to `backoffMaxMs`. */
  backoffInitialMs: number;
  backoffFactor: number;
  backoffMaxMs: number;
  /** A service ready this long ends its failure episode: the next failure starts the backoff afresh. */
  stableAfterMs: number;
  /** After a dependency comes back, how long its ready-dependents get to recover by themselves. */
  recoveryWindowMs: number;
  /** Probe period inside that window. */
  recoveryProbeIntervalMs: number;
  /** `always` / unbounded `on-failure` services are marked failed (and retried at the backoff cap) after this many restarts in a row. */
  failAfter: number;
  /** Seconds a container gets to stop before it is killed, when the daemon restarts it. */
  stopTimeoutSeconds: number;
}

export const DEFAULT_SUPERVISION: SupervisionOptions = {
  probeIntervalMs: 5_000,
  unreadyProbeIntervalMs: 1_000,
  failureThreshold: 3,
  probeTimeoutMs: 5_000,
  backoffInitialMs: 250,
  backoffFactor: 2,
  backoffMaxMs: 60_000,
  stableAfterMs: 30_000,
  recoveryWindowMs: 15_000,
  recoveryProbeIntervalMs: 500,
  failAfter: 5,
  stopTimeoutSeconds: 10,
};

/** Validates overrides up front, naming the option that is wrong. */
export function supervisionOptions(overrides: Partial<SupervisionOptions> = {}): SupervisionOptions {
  const options = { ...DEFAULT_SUPERVISION, ...overrides };
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`supervision option ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (options.failureThreshold < 1) throw new RangeError('supervision option failureThreshold must be at least 1');
  if (options.backoffFactor < 1) throw new RangeError('supervision option backoffFactor must be at least 1');
  if (options.failAfter < 1) throw new RangeError('supervision option failAfter must be at least 1');
  return options;
}

/** Delay before restart number `attempt` (0-based) of a failure episode. */
export function backoffDelay(attempt: number, options: SupervisionOptions): number {
  const delay = options.backoffInitialMs * options.backoffFactor ** Math.max(0, attempt);
  return Math.min(options.backoffMaxMs, Math.round(delay));
}

/** Whether the policy restarts a service whose container stopped with `exitCode` (undefined: it did not exit — a probe or start failure). */
export function policyRestarts(policy: RestartPolicy, exitCode: number | undefined): boolean {
  switch (policy.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0;
  }
}

/** Restarts allowed in one failure episode before the service is given up on; Infinity when unbounded. */
export function restartBudget(policy: RestartPolicy): number {
  if (policy.name === 'no') return 0;
  if (policy.name === 'on-failure' && policy.maxRetries !== undefined) return policy.maxRetries;
  return Number.POSITIVE_INFINITY;
}

export function describePolicy(policy: RestartPolicy): string {
  return policy.name === 'on-failure' && policy.maxRetries !== undefined ? `on-failure:${policy.maxRetries}` : policy.name;
}
