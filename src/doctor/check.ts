/** One line of `stackctl doctor`: what was checked, how it stands, and what to do about it. */
export type CheckStatus = 'ok' | 'warning' | 'error' | 'skipped';

export interface DoctorCheck {
  /** Stable id: engine, version, storage, disk, ports, dns, clock, memory, apt-lock, context. */
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  detail: string;
  /** What to do (warnings and errors). */
  fix?: string;
}

const RANK: Record<CheckStatus, number> = { skipped: 0, ok: 0, warning: 1, error: 2 };

export function worstStatus(checks: readonly DoctorCheck[]): CheckStatus {
  const worst = Math.max(0, ...checks.map((check) => RANK[check.status]));
  return worst === 2 ? 'error' : worst === 1 ? 'warning' : 'ok';
}

/** Exit code by the worst line: 0 all ok, 1 a warning, 2 an error. */
export function exitCodeOf(checks: readonly DoctorCheck[]): number {
  return RANK[worstStatus(checks)];
}

export function check(id: string, status: CheckStatus, detail: string, fix?: string): DoctorCheck {
  return fix === undefined ? { id, status, detail } : { id, status, detail, fix };
}
