/** A failed service, explained: what the container did, what it said, and the classified cause. */
import type { ProbeFailure } from '../probes/probe-failure.js';

export type RootCauseCode =
  | 'module-not-found'
  | 'editable-outside-context'
  | 'redis-auth'
  | 'postgres-auth'
  /** An HTTP readiness probe's credential (API key, token) refused with 401/403. */
  | 'http-auth-refused'
  | 'address-in-use'
  | 'dependency-refused'
  /** A dependency's host name does not resolve (added by the diagnose owner). */
  | 'dependency-unresolved'
  | 'build-failed'
  | 'image-not-found'
  | 'missing-env'
  | 'probe-timeout'
  | 'exited'
  | 'oom-killed'
  /** The container keeps dying and its restart policy keeps starting it (added by diagnose). */
  | 'crash-loop'
  /** Running, but its healthcheck keeps failing (added by diagnose). */
  | 'unhealthy'
  /** The engine itself could not start the container (its start error), e.g. stale state after an engine restart. */
  | 'engine-start-error'
  /** An object of the same name exists without the stack's label; stackctl left it alone (added by the diagnose owner). */
  | 'not-owned'
  /** Not started because a dependency failed (Diagnosis.blockedBy names it; added by the diagnose owner). */
  | 'blocked'
  | 'unknown';

export interface RootCause {
  code: RootCauseCode;
  /** One line: what went wrong, e.g. "No module named 'config'". */
  summary: string;
  /** What to do about it. */
  hint: string;
  /** The log or error line the classification is based on. */
  evidence?: string;
}

export interface Diagnosis {
  service: string;
  /** failed: the service itself; blocked: a dependency failed. */
  state: 'failed' | 'blocked';
  blockedBy?: string;
  container?: {
    status: string;
    exitCode?: number;
    oomKilled: boolean;
    restartCount: number;
  };
  lastLogLines: string[];
  probe?: { attempts: number; lastError?: string; failure?: ProbeFailureRecord };
  rootCause: RootCause;
}

/**
 * The probe's last failure as data (src/probes/probe-failure.ts), in the JSON a diagnosis is
 * printed as: what kind of failure, the other side's words (redacted) and, for a refused login,
 * which refusal. Names only — a user, a database, header names — never a credential. Its message
 * is the probe record's `lastError`.
 */
export type ProbeFailureRecord = Omit<ProbeFailure, 'message'>;
