/**
 * The daemon API's wire format (JSON over HTTP on the unix socket, and on 127.0.0.1 with a bearer
 * token), shared by the server and the client. Times are ISO-8601 strings. Every value has been
 * through the stack's Redactor before it leaves the daemon.
 */
import type { Diagnosis } from '../diagnose/model.js';
import type { EngineEvent } from '../engine/events.js';
import type { ContainerStatus, PublishedPort } from '../runtime/runtime.js';
import type { ServiceStateName, SupervisorEvent } from './supervisor-machine.js';

export const API_VERSION = 'v1';

export type DaemonPhase =
  /** Loading the stack and bringing it up. */
  | 'starting'
  /** Watching the stack. */
  | 'supervising'
  /** Running an action that suspends supervision (up, down). */
  | 'busy'
  /** The stack was brought down through the API; nothing to supervise until `up`. */
  | 'down'
  /** The container engine does not answer (restart, upgrade, crash): waiting for it, acting on nothing. */
  | 'engine-down'
  /** The engine answers again: bringing the whole stack back like `up` does, then supervising. */
  | 'reconciling'
  | 'stopping';

export interface ServiceStatus {
  name: string;
  state: ServiceStateName;
  /** Why it is in that state, one line. */
  reason: string;
  since: string;
  ready: boolean;
  /** Failed or unavailable dependencies at the root of this service's trouble. */
  degradedBy: string[];
  restartPolicy: string;
  /** Restarts (by the daemon or by Docker) since the daemon started. */
  restarts: number;
  /** Restarts in the current failure episode. */
  failuresInARow: number;
  container?: {
    id: string;
    name?: string;
    status: ContainerStatus;
    startedAt?: string;
    exitCode?: number;
    oomKilled: boolean;
    restartCount: number;
    ports: PublishedPort[];
  };
  lastProbe?: { at: string; ok: boolean; error?: string; attempts?: number };
  lastExit?: { at: string; exitCode?: number; oomKilled: boolean };
  lastDiagnosis?: Diagnosis;
  lastRestartAt?: string;
  nextRestartAt?: string;
}

export interface ReportFileSet {
  dir: string;
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

export interface TestSummary {
  at: string;
  ok: boolean;
  durationMs: number;
  /** One line, e.g. "48/50 passed (96.0%), avg 41 ms". */
  summary: string;
  reportPath?: string;
  /** Every file of the stored report (report.json, report.md, report.html, junit.xml). */
  files?: ReportFileSet;
  /** The `outDir` copies, when asked for. */
  copies?: ReportFileSet;
  /** What `stackctl test` exits with for this run: 0 criteria hold, 1 not, 130 cancelled. */
  exitCode?: number;
  error?: string;
}

/** Options of the `test` action; paths absolute. */
export interface TestRequest {
  /** Another suite file than the stack's `suite:`. */
  suite?: string;
  baseline?: string;
  failOnRegression?: boolean;
  outDir?: string;
  /** Where runs are stored (default .stackctl/reports beside the stack file). */
  reportsDir?: string;
}

export interface DaemonStatus {
  stack: string;
  file: string;
  pid: number;
  version: string;
  startedAt: string;
  uptimeMs: number;
  phase: DaemonPhase;
  /** The action in progress, if any. */
  action?: { name: string; startedAt: string };
  supervising: boolean;
  /** Whether the container engine answers; while it does not, since when and why. */
  engine: { answering: boolean; downSince?: string; reason?: string };
  memory: { rssBytes: number; heapUsedBytes: number };
  services: ServiceStatus[];
  lastTest?: TestSummary;
}

export interface PingResponse {
  ok: true;
  stack: string;
  pid: number;
  version: string;
  api: typeof API_VERSION;
}

export type DaemonEvent =
  | SupervisorEvent
  /** Progress of up/down run by the daemon, as the engine reports it. */
  | { type: 'engine'; at: number; event: EngineEvent }
  | { type: 'daemon.phase'; at: number; phase: DaemonPhase; detail?: string }
  /** The engine stopped answering: supervision is on hold (services show `engine-down`). */
  | { type: 'engine.unavailable'; at: number; reason: string }
  /** It answers again after `downMs`: the stack is reconciled next. */
  | { type: 'engine.available'; at: number; downMs: number }
  /** The reconcile after an outage finished: how many services are ready, and how long it took. */
  | { type: 'engine.reconciled'; at: number; ok: boolean; ready: number; total: number; durationMs: number; detail?: string }
  | { type: 'action.started'; at: number; action: string; service?: string }
  | { type: 'action.finished'; at: number; action: string; service?: string; ok: boolean; durationMs: number; detail?: string }
  | { type: 'suite.finished'; at: number; result: TestSummary };

/** One entry of the event stream: `id` grows by one per event, for `Last-Event-ID` resumption. */
export interface DaemonEventRecord {
  id: number;
  at: string;
  event: DaemonEvent;
}

export interface LogLine {
  service: string;
  /** When the daemon received it (absent for lines read back from the engine's log). */
  at?: string;
  line: string;
}

export interface ActionResult {
  action: string;
  ok: boolean;
  durationMs: number;
  /** One line for humans. */
  message: string;
  service?: string;
  /** For `test`: the suite's summary. */
  test?: TestSummary;
  /** For `up` / `down`: how each service ended. */
  services?: Array<{ name: string; outcome: string; detail?: string }>;
}

export interface ApiErrorBody {
  error: string;
  message: string;
  hint?: string;
}
