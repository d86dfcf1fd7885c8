/** One row of `stackctl ps`, whether read from the engine (commands/ps.ts) or from the daemon (via-daemon.ts). */
export type Readiness = 'ready' | 'not ready' | 'no probe' | 'not probed' | 'completed' | '-';

export interface PsRow {
  service: string;
  container: string;
  containerId?: string;
  state: string;
  exitCode?: number;
  readiness: Readiness;
  /** Why it is not ready (the probe's error). */
  readinessError?: string;
  ports: string[];
  /** Seconds since start (running) or since exit (exited). */
  uptimeSeconds?: number;
  restarts: number;
  orphan: boolean;
}
