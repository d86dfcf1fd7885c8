/**
 * The report model: one value, built from the suite's check results, rendered four ways (JSON,
 * Markdown, JUnit XML, HTML) plus a terminal summary. Every figure a renderer prints is computed here
 * (src/report/arithmetic.ts, src/report/compare.ts); renderers only format.
 *
 * The JSON rendering is this value as is: `schema` + `schemaVersion` identify it, and
 * docs/suite-report.md documents every field. Additive changes keep the version; a change that
 * renames or removes a field bumps REPORT_SCHEMA_VERSION.
 */
import type { RootCauseCode } from '../diagnose/model.js';

export const REPORT_SCHEMA = 'stackctl.report';
export const REPORT_SCHEMA_VERSION = 1;

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export type CheckKind = 'http' | 'tcp' | 'postgres' | 'redis' | 'load' | 'metric' | 'external' | 'browser';

/** Why a check failed, traced to a service. */
export interface CheckRootCause {
  /** The service the failure is attributed to. */
  service: string;
  /**
   * Where the explanation comes from: `up` — the diagnosis `stackctl up` made; `runtime` — stackctl
   * inspected the service's container when the suite ran; `check` — the check's own observation.
   */
  source: 'up' | 'runtime' | 'check';
  code: RootCauseCode | 'service-down' | 'unexpected-response' | 'timeout' | 'connection-refused';
  summary: string;
  hint: string;
  /** The log line or error text the explanation is based on. */
  evidence?: string;
  /** Set when the service did not start because this dependency failed. */
  blockedBy?: string;
}

export interface CheckResult {
  /** Stable id, unique in the suite (`category-slug/check-slug` unless the suite names it). */
  id: string;
  name: string;
  category: string;
  kind: CheckKind;
  /** The service the check is attributed to, when known. */
  service?: string;
  status: CheckStatus;
  /** failed: what went wrong, one line; skipped: why it did not run. */
  message?: string;
  /** What to do about a failure (the suite's `hint`, or the root cause's). */
  hint?: string;
  rootCause?: CheckRootCause;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** Response time: request sent → full response read. Absent when no response came (refused). */
  latencyMs?: number;
  request?: { method: string; url: string };
  response?: { status: number };
  /** Kind-specific figures, e.g. a load check's `requests`, `successRate`, `avgMs`, `p95Ms`. */
  measurements?: Record<string, number>;
  /** Ids of the checks this one required. */
  requires?: string[];
  /** This check is its service's health check (it decides the service's UP/DOWN in the report). */
  health?: boolean;
}

export interface Counts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** passed / total × 100; skipped count as not passed. 0 when total is 0. */
  successRate: number;
}

export interface CategorySummary extends Counts {
  name: string;
}

export type ServiceStatus = 'up' | 'down' | 'degraded' | 'unknown';

export interface ServiceSummary {
  name: string;
  /** Published host port (first TCP port), when the stack publishes one. */
  port?: number;
  /** up: its health checks passed; down: one failed; degraded: healthy but another of its checks failed. */
  status: ServiceStatus;
  /** One line: the root cause summary, or the first failure's message. */
  issue?: string;
  /** Latency of its health check. */
  responseMs?: number;
  checks: Counts;
  rootCause?: CheckRootCause;
}

export interface Summary extends Counts {
  /** failed / (passed + failed) × 100: executed checks that failed. 0 when nothing ran. */
  errorRate: number;
  /** Mean of the checks' response times (one figure per check that has one); null when none. */
  avgResponseMs: number | null;
  p95ResponseMs: number | null;
}

export interface LoadSummary {
  id: string;
  name: string;
  requests: number;
  concurrency: number;
  successRate: number;
  avgMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface Performance {
  /** How many response times the figures below are computed from. */
  samples: number;
  avgResponseMs: number | null;
  p50ResponseMs: number | null;
  p95ResponseMs: number | null;
  maxResponseMs: number | null;
  errorRate: number;
  /** The five slowest checks, slowest first. */
  slowest: Array<{ id: string; name: string; latencyMs: number }>;
  load: LoadSummary[];
}

export interface Criterion {
  /** `success_rate`, `avg_response_ms`, `error_rate`, or `category:<name>`. */
  id: string;
  label: string;
  operator: '>' | '<' | '>=';
  threshold: number;
  unit: '%' | 'ms';
  /** null when nothing was measured (the criterion then holds: there is nothing against it). */
  actual: number | null;
  met: boolean;
}

export type Verdict = 'REGRESSION' | 'IMPROVEMENT' | 'UNCHANGED';

export type MetricStatus = 'regression' | 'improvement' | 'same' | 'changed' | 'n/a';

export interface MetricComparison {
  /** `success_rate`, `total`, `error_rate`, `avg_response_ms`, `p95_response_ms`, `category:<name>`. */
  id: string;
  label: string;
  unit: '%' | 'ms' | 'count';
  previous: number | null;
  current: number | null;
  /** current − previous (percentage points for rates); null when either side is unknown. */
  change: number | null;
  status: MetricStatus;
}

export interface CheckChange {
  id: string;
  name: string;
  category: string;
  previous: CheckStatus | null;
  current: CheckStatus | null;
  /** For a newly failing check: its current message. */
  message?: string;
}

export interface BaselineRef {
  id: string;
  startedAt: string | null;
  configHash: string | null;
  commit: string | null;
  /** Where it was read from. */
  file: string;
}

export interface Comparison {
  baseline: BaselineRef;
  metrics: MetricComparison[];
  /** Passed in the baseline, failed or skipped now. */
  newlyFailing: CheckChange[];
  /** Failed or skipped in the baseline, passed now. */
  newlyPassing: CheckChange[];
  added: CheckChange[];
  removed: CheckChange[];
  configChanged: boolean;
  suiteChanged: boolean;
  verdict: Verdict;
}

export interface GitInfo {
  commit: string;
  branch?: string;
  /** Uncommitted changes in the work tree when the run started. */
  dirty: boolean;
}

export interface RunInfo {
  /** Directory name under `.stackctl/reports/`, e.g. `2025-08-07T18-19-42Z`. */
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  stack: { name: string; file: string; configHash: string };
  suite: { name: string; file: string; hash: string };
  git?: GitInfo;
  stackctlVersion: string;
  /** The run was interrupted; checks not run are skipped with reason "run cancelled". */
  cancelled: boolean;
}

export interface ReportFiles {
  dir: string;
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: number;
  run: RunInfo;
  /** PASSED when every success criterion holds. */
  status: 'PASSED' | 'FAILED';
  summary: Summary;
  thresholds: { successRate: number; avgResponseMs: number; errorRate: number };
  criteria: Criterion[];
  categories: CategorySummary[];
  services: ServiceSummary[];
  performance: Performance;
  checks: CheckResult[];
  comparison?: Comparison;
  /** Where this report's renderings were written (absent before they are). */
  files?: ReportFiles;
}
